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
