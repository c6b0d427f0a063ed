-- The records sync (src/ingest/records-sync): what it has read of the platform's
-- `medical_records` tables. It writes only here and to the index, never to the platform.

-- One row: where the next run starts, and what the last run did (shown on /readyz).
CREATE TABLE IF NOT EXISTS llm_assistant.records_sync_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- Platform clock up to which every changed patient is indexed (the latest change of the
  -- last committed batch, then the start of the last complete run); a run reads from here
  -- minus an overlap window, so a transaction that stamped its rows before the watermark
  -- but committed after it is still seen.
  watermark timestamptz,
  last_run jsonb,
  last_success_started_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Each synced patient with a digest of the ids of all their rows: a deleted row (which
-- leaves no updated_at behind) changes the digest, and the patient is indexed again.
CREATE TABLE IF NOT EXISTS llm_assistant.records_sync_patients (
  patient_id uuid PRIMARY KEY,
  rows_digest text NOT NULL,
  synced_at timestamptz NOT NULL DEFAULT now()
);
