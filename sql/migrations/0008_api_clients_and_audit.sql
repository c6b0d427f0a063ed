-- Calling apps and the trail of who retrieved which patient's data.

-- One row per API key. Only a hash of the key is kept: sha256, not scrypt, because the
-- keys are 32 random bytes (256 bits of entropy), so a leaked hash cannot be brute-forced;
-- a slow hash only protects low-entropy passwords and would cost CPU on every request.
-- key_prefix is the non-secret part of the key (`llm_<prefix>_...`), used for lookup.
CREATE TABLE IF NOT EXISTS llm_assistant.api_clients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  key_prefix text NOT NULL,
  key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['chat', 'search', 'admin']),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS api_clients_key_prefix_key ON llm_assistant.api_clients (key_prefix);
-- Names are unique among active clients, so an app's key can be revoked and re-issued
-- under the same name; revoked rows stay for the audit trail.
CREATE UNIQUE INDEX IF NOT EXISTS api_clients_active_name_key
  ON llm_assistant.api_clients (name) WHERE revoked_at IS NULL;

-- One row per request that returned record chunks, written before the answer leaves.
-- client_name is copied so the trail reads the same whatever happens to the client later.
CREATE TABLE IF NOT EXISTS llm_assistant.audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  request_id text NOT NULL,
  client_id uuid NOT NULL,
  client_name text NOT NULL,
  doctor_id uuid,
  purpose text,
  action text NOT NULL,
  patient_ids uuid[] NOT NULL CHECK (cardinality(patient_ids) > 0),
  chunk_ids text[] NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_at_idx ON llm_assistant.audit_log (at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_patient_ids_idx ON llm_assistant.audit_log USING gin (patient_ids);
CREATE INDEX IF NOT EXISTS audit_log_doctor_idx ON llm_assistant.audit_log (doctor_id, at DESC) WHERE doctor_id IS NOT NULL;

-- Append-only in the database too, not only by convention in the code: any UPDATE,
-- DELETE or TRUNCATE raises. (A superuser can still disable the trigger; that is an
-- operator's act, outside any code path of the service.)
CREATE OR REPLACE FUNCTION llm_assistant.audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'llm_assistant.audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE OR REPLACE TRIGGER audit_log_no_update_delete
  BEFORE UPDATE OR DELETE ON llm_assistant.audit_log
  FOR EACH ROW EXECUTE FUNCTION llm_assistant.audit_log_is_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON llm_assistant.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.audit_log_is_append_only();
