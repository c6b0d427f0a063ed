-- Re-index and records jobs. At most one active job per source key across every
-- service instance: the partial unique index is the lock. A job whose heartbeat stops
-- (process killed) is marked failed by the next instance that looks, and can be re-run.
CREATE TABLE IF NOT EXISTS llm_assistant.ingest_jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('docs', 'records')),
  source_key text NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
  progress jsonb NOT NULL DEFAULT '{}',
  summary jsonb,
  error text,
  requested_by text,
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS ingest_jobs_one_running_per_source
  ON llm_assistant.ingest_jobs (source_key) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS ingest_jobs_created_idx ON llm_assistant.ingest_jobs (created_at DESC);
