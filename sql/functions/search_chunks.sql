-- Hybrid search: the chunks most relevant to a question that doctor_id may see, under
-- the filters. doctor_id has no default, so that forgetting it cannot mean "everything"
-- (NULL means documentation only).
--
-- Three parts, each a function of its own: visibility (chunk_visible.sql), candidates
-- from the vectors (vector_candidates.sql) and from BM25 over the words
-- (lexical_candidates.sql), then here their fusion: a weighted sum of each list's scores
-- scaled to [0, 1] over its candidates (min-max; a chunk missing from a list scores 0
-- there). Unlike reciprocal rank fusion, it keeps how far ahead a candidate is: a BM25
-- hit far above the rest is not outvoted by chunks both lists rank middling
-- (docs/retrieval-research.md has the comparison).
-- A question that only names a topic ("gout", "What is tremor?": the chunk's title holds
-- every word of it) asks what the topic is, which a document says at its opening: that
-- document's first chunk gains as much as the best word match scores.
-- Without query_text the search is by vector alone. Every row must clear min_similarity
-- (cosine); the default 0 keeps them all. Every row also carries `evidence`, the mean
-- similarity of the 10 chunks nearest to the question: how close the visible corpus comes
-- to it; `best_lexical_score`, the best BM25 score among the word candidates; and
-- `names_a_title`, whether one of them has a title that holds every word of the question
-- ("gout", "What is tremor?"). From these the service decides whether there is enough to
-- answer from (src/retrieval/evidence.ts). A mean of ten moves less with one chance match
-- than the best one.
-- The signature's return type changed with BM25: dropped and created again.
DROP FUNCTION IF EXISTS llm_assistant.search_chunks(vector, integer, uuid, text, text[], text[], uuid, real, real, real, integer, integer, integer);
CREATE FUNCTION llm_assistant.search_chunks(
  query_embedding vector(1536),
  match_count integer,
  doctor_id uuid,
  query_text text DEFAULT NULL,
  filter_modules text[] DEFAULT NULL,
  filter_source_kinds text[] DEFAULT NULL,
  filter_patient_id uuid DEFAULT NULL,
  min_similarity real DEFAULT 0,
  vector_weight real DEFAULT 1,
  lexical_weight real DEFAULT 1,
  ef_search integer DEFAULT 100,
  -- How many candidates each list contributes to the fusion (at least match_count).
  candidate_count integer DEFAULT 50,
  -- Fewer matching rows than this: exact scan instead of the HNSW index.
  exact_scan_threshold integer DEFAULT 1000
)
RETURNS TABLE (
  id text,
  source_kind text,
  collection text,
  source_id text,
  source_uri text,
  module text,
  title text,
  heading_path text[],
  url text,
  chunk_index integer,
  content text,
  token_count integer,
  metadata jsonb,
  patient_id uuid,
  evidence real,
  best_lexical_score double precision,
  names_a_title boolean,
  similarity real,
  vector_rank integer,
  lexical_rank integer,
  lexical_score double precision,
  lexical_coverage real,
  score double precision,
  match_reason text
)
LANGUAGE sql
STABLE
AS $fn$
  WITH settings AS (
    SELECT query_text IS NOT NULL AND coalesce(lexical_weight, 0) > 0 AS use_lexical,
           coalesce(vector_weight, 0) > 0 AS use_vector
  ),
  pool AS (
    -- Vector alone has nothing to fuse, so it needs no more than match_count (and the 10 of `evidence`).
    SELECT CASE WHEN s.use_lexical THEN greatest(coalesce(candidate_count, 50), match_count, 10) ELSE greatest(match_count, 10) END AS size,
           s.use_lexical, s.use_vector
    FROM settings s
  ),
  vector_hits AS (
    SELECT v.id, v.distance, v.rank
    FROM pool p,
         llm_assistant.vector_candidates(query_embedding, CASE WHEN p.use_vector THEN p.size ELSE 0 END,
                                         search_chunks.doctor_id, filter_modules, filter_source_kinds, filter_patient_id,
                                         ef_search, exact_scan_threshold) v
  ),
  lexical_hits AS (
    SELECT l.id, l.score, l.coverage, l.names_title, l.rank
    FROM pool p,
         llm_assistant.lexical_candidates(query_text, CASE WHEN p.use_lexical THEN p.size ELSE 0 END,
                                          search_chunks.doctor_id, filter_modules, filter_source_kinds, filter_patient_id) l
  ),
  -- Each list's scores scaled to [0, 1] over its candidates (a lone candidate scores 1).
  vector_scaled AS (
    SELECT v.*, coalesce((max(v.distance) OVER () - v.distance) / nullif(max(v.distance) OVER () - min(v.distance) OVER (), 0), 1) AS scaled
    FROM vector_hits v
  ),
  lexical_scaled AS (
    SELECT l.*, coalesce((l.score - min(l.score) OVER ()) / nullif(max(l.score) OVER () - min(l.score) OVER (), 0), 1) AS scaled
    FROM lexical_hits l
  ),
  fused AS (
    SELECT coalesce(v.id, l.id) AS id,
           v.distance,
           v.rank AS vector_rank,
           l.rank AS lexical_rank,
           l.score AS lexical_score,
           l.coverage AS lexical_coverage,
           l.names_title,
           coalesce(vector_weight * v.scaled, 0) + coalesce(lexical_weight * l.scaled, 0) AS score
    FROM vector_scaled v
    FULL JOIN lexical_scaled l ON l.id = v.id
  ),
  nearest AS (
    SELECT avg(1 - v.distance)::real AS evidence FROM vector_hits v WHERE v.rank <= 10
  ),
  best_lexical AS (
    SELECT max(l.score) AS score, coalesce(bool_or(l.names_title), false) AS names_a_title FROM lexical_hits l
  )
  SELECT c.id, c.source_kind, c.collection, c.source_id, c.source_uri, c.module, c.title, c.heading_path, c.url,
         c.chunk_index, c.content, c.token_count, c.metadata, c.patient_id, n.evidence, bl.score AS best_lexical_score, bl.names_a_title,
         -- Vector hits carry their distance: only lexical-only hits read their embedding again.
         (1 - coalesce(f.distance, c.embedding <=> query_embedding))::real AS similarity,
         f.vector_rank, f.lexical_rank, f.lexical_score, f.lexical_coverage,
         (f.score + CASE WHEN f.names_title AND c.chunk_index = 0 THEN lexical_weight ELSE 0 END)::double precision AS score,
         CASE WHEN f.vector_rank IS NOT NULL AND f.lexical_rank IS NOT NULL THEN 'both'
              WHEN f.vector_rank IS NOT NULL THEN 'vector'
              ELSE 'lexical' END AS match_reason
  FROM fused f
  CROSS JOIN nearest n
  CROSS JOIN best_lexical bl
  JOIN llm_assistant.docs_chunks c ON c.id = f.id
  WHERE (1 - coalesce(f.distance, c.embedding <=> query_embedding)) >= coalesce(min_similarity, 0)
  ORDER BY score DESC, similarity DESC, c.id
  LIMIT greatest(match_count, 0);
$fn$;
