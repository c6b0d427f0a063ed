-- The answer cache's epoch: moved on whenever indexed sources change (AnswerCache.invalidateSources).
-- The pre-retrieval answer cache keys on it, since such a key cannot name the chunks its
-- answer was built from: a source re-indexed while Redis was unreachable (its reverse
-- index not cleaned) still leaves no stale answer reachable.
CREATE TABLE IF NOT EXISTS llm_assistant.answer_cache_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  epoch bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO llm_assistant.answer_cache_state DEFAULT VALUES ON CONFLICT (singleton) DO NOTHING;
