-- The modules a question is about, best first; none when nothing clears the threshold.
CREATE OR REPLACE FUNCTION llm_assistant.detect_modules(
  query_embedding vector(1536),
  match_threshold real,
  match_count integer
)
RETURNS TABLE (name text, title text, similarity real)
LANGUAGE sql
STABLE
AS $fn$
  SELECT m.name, m.title, (1 - (m.embedding <=> query_embedding))::real AS similarity
  FROM llm_assistant.module_summaries m
  WHERE 1 - (m.embedding <=> query_embedding) >= match_threshold
  ORDER BY m.embedding <=> query_embedding, m.name
  LIMIT match_count;
$fn$;
