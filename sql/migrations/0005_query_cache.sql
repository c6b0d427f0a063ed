-- Cached answers. `cache_key` is the exact key (hash of the normalised question and
-- everything that changes the answer); `scope_key` groups the entries one caller may
-- reuse semantically (same doctor scope, patient, index generation, models, prompt and
-- retrieved chunks; see src/cache/answer-cache.ts).
CREATE TABLE IF NOT EXISTS llm_assistant.query_cache (
  cache_key text PRIMARY KEY,
  scope_key text NOT NULL,
  question text NOT NULL,
  question_embedding vector(1536) NOT NULL,
  -- Negations, drug names and doses of the question: a semantic hit must match them.
  guard_terms text[] NOT NULL DEFAULT '{}',
  answer jsonb NOT NULL,
  -- '<kind>:<collection>:<source_id>' of every source in the prompt; re-indexing one deletes these rows.
  cited_sources text[] NOT NULL DEFAULT '{}',
  doctor_id uuid,
  patient_id uuid,
  -- Deleting (or purging) a conversation erases the answers derived from it.
  conversation_id uuid REFERENCES llm_assistant.conversation_memory (id) ON DELETE CASCADE,
  hit_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS query_cache_scope_idx ON llm_assistant.query_cache (scope_key);
CREATE INDEX IF NOT EXISTS query_cache_sources_gin ON llm_assistant.query_cache USING gin (cited_sources);
CREATE INDEX IF NOT EXISTS query_cache_conversation_idx ON llm_assistant.query_cache (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS query_cache_expires_idx ON llm_assistant.query_cache (expires_at);
