-- One row per app module, embedded from its manifest and documents; detect_modules
-- ranks these by similarity to a question.
CREATE TABLE IF NOT EXISTS llm_assistant.module_summaries (
  name text PRIMARY KEY,
  title text NOT NULL,
  -- From the module's _module.json; kept so a re-index of another collection can
  -- rebuild the summary without the manifest at hand.
  description text NOT NULL DEFAULT '',
  summary text NOT NULL,
  document_count integer NOT NULL DEFAULT 0,
  -- Hash of the manifest and the module's source hashes: the summary is re-embedded
  -- only when it changes.
  content_hash text NOT NULL,
  embedding vector(1536) NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
