-- Cached answers go in the transaction that changes or removes a source they cite, so no
-- reader ever sees an answer built from a version of a source that is no longer indexed.
-- Every writer of `sources` (ingestion, records, a rebuild) passes through here.
-- A source key is '<kind>:<collection>:<source_id>', as in query_cache.cited_sources.
CREATE OR REPLACE FUNCTION llm_assistant.drop_cached_answers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM llm_assistant.query_cache
  WHERE cited_sources && ARRAY(SELECT source_kind::text || ':' || collection || ':' || source_id FROM changed);
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER sources_drop_cached_answers_update
  AFTER UPDATE ON llm_assistant.sources
  REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.drop_cached_answers();
CREATE OR REPLACE TRIGGER sources_drop_cached_answers_delete
  AFTER DELETE ON llm_assistant.sources
  REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.drop_cached_answers();
