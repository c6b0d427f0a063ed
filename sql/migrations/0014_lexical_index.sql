-- An inverted index for BM25, the lexical leg of search (sql/functions/lexical_candidates.sql):
-- per source kind, each lexeme's postings (the chunks that hold it, how often in their
-- title, headings and body, and the chunk's length), how many chunks hold it, and the
-- corpus size. The triggers of sql/functions/lexical_index.sql keep all three current in
-- the same transaction as the chunks, so they always equal an index built from scratch.
-- Per source kind, so that patients' records never weigh on how documentation ranks.

-- A chunk's lexemes with their counts per field. Defined here rather than in
-- sql/functions: the stored postings depend on it, so changing it means re-indexing,
-- which is a migration anyway.
CREATE OR REPLACE FUNCTION llm_assistant.chunk_postings(title text, heading text, content text)
RETURNS TABLE (term text, title_count integer, heading_count integer, body_count integer)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $fn$
  SELECT lexeme, sum(in_title)::integer, sum(in_heading)::integer, sum(in_body)::integer
  FROM (
    SELECT lexeme, cardinality(positions) AS in_title, 0 AS in_heading, 0 AS in_body
    FROM unnest(to_tsvector('english', title))
    UNION ALL
    SELECT lexeme, 0, cardinality(positions), 0 FROM unnest(to_tsvector('english', heading))
    UNION ALL
    SELECT lexeme, 0, 0, cardinality(positions) FROM unnest(to_tsvector('english', content))
  ) occurrences
  GROUP BY lexeme;
$fn$;

-- A compact key for the postings (chunk ids are 64-character hashes).
ALTER TABLE llm_assistant.docs_chunks ADD COLUMN IF NOT EXISTS chunk_key bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX IF NOT EXISTS docs_chunks_chunk_key_idx ON llm_assistant.docs_chunks (chunk_key);

CREATE TABLE IF NOT EXISTS llm_assistant.lexical_postings (
  source_kind text NOT NULL,
  term text NOT NULL,
  chunk_key bigint NOT NULL,
  title_count integer NOT NULL,
  heading_count integer NOT NULL,
  body_count integer NOT NULL,
  -- The chunk's length in indexed words (stop words do not count), for length normalisation.
  chunk_length integer NOT NULL,
  -- The counts ride in the index, so a term's postings are read from it alone.
  PRIMARY KEY (source_kind, term, chunk_key) INCLUDE (title_count, heading_count, body_count, chunk_length)
);

CREATE TABLE IF NOT EXISTS llm_assistant.lexical_terms (
  source_kind text NOT NULL,
  term text NOT NULL,
  -- No CHECK: counts are changed by upserts of signed deltas, whose proposed rows a CHECK would refuse.
  chunk_count integer NOT NULL,
  PRIMARY KEY (source_kind, term)
);

CREATE TABLE IF NOT EXISTS llm_assistant.lexical_corpus (
  source_kind text PRIMARY KEY,
  chunk_count bigint NOT NULL,
  total_length bigint NOT NULL
);

-- The chunks already indexed, from scratch (so running this file again is harmless).
DELETE FROM llm_assistant.lexical_postings;
DELETE FROM llm_assistant.lexical_terms;
DELETE FROM llm_assistant.lexical_corpus;
INSERT INTO llm_assistant.lexical_postings
SELECT c.source_kind, p.term, c.chunk_key, p.title_count, p.heading_count, p.body_count,
       sum(p.title_count + p.heading_count + p.body_count) OVER (PARTITION BY c.chunk_key)
FROM llm_assistant.docs_chunks c, llm_assistant.chunk_postings(c.title, c.heading, c.content) p;
INSERT INTO llm_assistant.lexical_terms (source_kind, term, chunk_count)
SELECT source_kind, term, count(*) FROM llm_assistant.lexical_postings GROUP BY source_kind, term;
INSERT INTO llm_assistant.lexical_corpus (source_kind, chunk_count, total_length)
SELECT c.source_kind, count(*), coalesce(sum(l.length), 0)
FROM llm_assistant.docs_chunks c
LEFT JOIN (SELECT chunk_key, max(chunk_length) AS length FROM llm_assistant.lexical_postings GROUP BY chunk_key) l
  ON l.chunk_key = c.chunk_key
GROUP BY c.source_kind;
