-- Cached answers go in the transaction that changes what they were built from, so no
-- reader ever gets an answer the index as it is now might not give. The answer cache is
-- looked up before searching (src/cache/answer-cache.ts), so this is what keeps it exact:
-- - a source changed or removed: the answers whose prompt held it (cited_sources);
-- - documentation added: every answer (any question may now find it);
-- - a record source added, changed or removed, or its doctors changed: the answers about
--   its patient, and the answers without a patient of the doctors listed on it, before
--   and after (their searches cover all their patients).
-- Every writer of `sources` (ingestion, records, a rebuild) passes through here.
-- A source key is '<kind>:<collection>:<source_id>', as in query_cache.cited_sources.
-- A trigger with a transition table has one event, so each event has its own trigger;
-- after an update, `sources` itself holds the rows as they are now.
CREATE OR REPLACE FUNCTION llm_assistant.drop_cached_answers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND EXISTS (SELECT FROM changed WHERE source_kind = 'doc') THEN
    DELETE FROM llm_assistant.query_cache;
    RETURN NULL;
  END IF;
  DELETE FROM llm_assistant.query_cache
  WHERE cited_sources && ARRAY(SELECT source_kind || ':' || collection || ':' || source_id FROM changed)
     OR patient_id IN (SELECT patient_id FROM changed WHERE source_kind = 'record')
     OR (patient_id IS NULL AND doctor_id IN (
          SELECT unnest(allowed_doctor_ids) FROM changed WHERE source_kind = 'record'
          UNION
          SELECT unnest(stored.allowed_doctor_ids) FROM changed JOIN llm_assistant.sources AS stored USING (source_kind, collection, source_id)
          WHERE stored.source_kind = 'record'));
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER sources_drop_cached_answers_insert AFTER INSERT ON llm_assistant.sources REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.drop_cached_answers();
CREATE OR REPLACE TRIGGER sources_drop_cached_answers_update AFTER UPDATE ON llm_assistant.sources REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.drop_cached_answers();
CREATE OR REPLACE TRIGGER sources_drop_cached_answers_delete AFTER DELETE ON llm_assistant.sources REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.drop_cached_answers();
