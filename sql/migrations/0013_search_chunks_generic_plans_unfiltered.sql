-- search_chunks: an unfiltered call lets PL/pgSQL keep generic plans of its statements
-- instead of planning each one again on every call (docs/benchmarks.md, chat: what each
-- change bought). Filtered calls still plan for their filter values. Everything else is
-- 0012's.

-- Hybrid search. Visibility: a row is visible iff it is documentation, or a record the
-- given doctor is allowed to see; doctor_id has no default so that forgetting it cannot
-- mean "everything" (NULL means documentation only).
--
-- Vector candidates come from the HNSW index with an iterative scan (pgvector >= 0.8),
-- or from an exact scan over the filtered rows: chosen up front for a patient, or when a
-- module or source-kind filter leaves fewer than exact_scan_threshold rows (a bounded
-- count), and taken after the index whenever the index returned fewer rows than asked. Lexical candidates come from the GIN index: rows holding all of the
-- question's lexemes, else all but one, else any (questions carry words the text lacks),
-- ranked by ts_rank on the OR of the lexemes with title/heading weights. Both lists are
-- fused by weighted reciprocal rank (k = 60); every returned row must clear
-- min_similarity (cosine), so an unrelated question returns nothing rather than noise.
-- The floor depends on the embedding model, so its default is 0 and the caller passes
-- the model's (OFFLINE_SIMILARITY_FLOOR for the offline embedder).
CREATE OR REPLACE FUNCTION llm_assistant.search_chunks(
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
  metadata jsonb,
  patient_id uuid,
  similarity real,
  vector_rank integer,
  lexical_rank integer,
  score double precision,
  match_reason text
)
LANGUAGE plpgsql
STABLE
-- Restored when the function returns, so the set_config calls below stay inside it.
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.ef_search = 100
SET enable_sort = on
-- enable_sort = off prices a sort at 10^10, which would make PostgreSQL JIT-compile a
-- query that runs in milliseconds (~150 ms of compiling); no search here gains from JIT.
SET jit = off
-- A plan is only good for its filters: after five calls PL/pgSQL would keep a generic
-- plan that cannot use the index of a filter (87 ms instead of 9 ms at 1% of 100,000).
-- Unfiltered calls allow generic plans again (below).
SET plan_cache_mode = force_custom_plan
AS $fn$
#variable_conflict use_column
DECLARE
  pool integer;
  use_exact boolean := false;
  unfiltered boolean;
  -- The vector candidates, nearest first (relaxed_order may return neighbours slightly
  -- out of order, so they are sorted on the distance).
  vector_ids text[];
  vector_distances double precision[];
  -- The lexical candidates, best first.
  lexical_ids text[];
  lexemes text[];
  lexeme_count integer := 0;
  lexical_query tsquery;
  candidate_queries tsquery[];
  candidate_query tsquery;
BEGIN
  IF match_count IS NULL OR match_count < 1 THEN
    RETURN;
  END IF;

  unfiltered := filter_modules IS NULL AND filter_source_kinds IS NULL AND filter_patient_id IS NULL;
  -- Without filters every call has the same shape, and planning each statement again cost
  -- ~0.9 ms a question (p50 8.3 -> 7.7 ms, mean 11.0 -> 9.4 ms on 200 MedQuAD questions
  -- over 5,000 chunks). The plan cache reads this setting at each statement, so filtered
  -- calls keep their custom plans, and a generic plan is only ever built and used unfiltered.
  IF unfiltered THEN
    PERFORM set_config('plan_cache_mode', 'auto', true);
  END IF;

  IF query_text IS NOT NULL AND coalesce(lexical_weight, 0) > 0 THEN
    -- The question's lexemes (stemmed, stop words dropped), quoted so that any character
    -- in a lexeme is taken literally.
    SELECT array_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''' ORDER BY lexeme)
    INTO lexemes
    FROM unnest(tsvector_to_array(to_tsvector('english', query_text))) AS lexeme;
    lexeme_count := coalesce(cardinality(lexemes), 0);
  END IF;

  -- Vector-only: nothing to fuse, so the vector list needs no more than match_count.
  pool := CASE WHEN lexeme_count = 0 THEN match_count
               ELSE greatest(coalesce(candidate_count, 50), match_count) END;
  -- ef_search must cover the pool, or HNSW returns fewer candidates than asked.
  PERFORM set_config('hnsw.ef_search', greatest(coalesce(ef_search, 100), pool)::text, true);

  IF lexeme_count > 0 THEN
    -- Scoring uses the OR of all lexemes (partial matches still score); candidates come
    -- from the strictest of: all lexemes, all but one, any, that yields match_count rows. An OR
    -- of common words matches most of the corpus, and ranking every match costs
    -- ~150 ms on 25k chunks, so it is the last resort.
    lexical_query := array_to_string(lexemes, ' | ')::tsquery;
    candidate_queries := ARRAY[array_to_string(lexemes, ' & ')::tsquery];
    IF lexeme_count BETWEEN 3 AND 10 THEN
      candidate_queries := candidate_queries || (
        SELECT string_agg('(' || array_to_string(lexemes[:i - 1] || lexemes[i + 1:], ' & ') || ')', ' | ')::tsquery
        FROM generate_series(1, lexeme_count) AS i);
    END IF;
    IF lexeme_count > 1 THEN
      candidate_queries := candidate_queries || lexical_query;
    END IF;
    FOREACH candidate_query IN ARRAY candidate_queries LOOP
      SELECT array_agg(l.id ORDER BY l.rank_value DESC, l.id)
      INTO lexical_ids
      FROM (
        SELECT c.id,
               -- Weights {D, C, B, A} = body, -, heading, title. Full-text ranking has no
               -- IDF, so body words ("research", "people") would outvote a rare title word:
               -- the body counts little. ts_rank without length normalisation beat
               -- ts_rank_cd on MedQuAD (docs/retrieval-research.md).
               ts_rank('{0.02, 0.05, 0.4, 1.0}', c.fts, lexical_query, 0) AS rank_value
        FROM llm_assistant.docs_chunks c
        WHERE c.fts @@ candidate_query
          AND llm_assistant.chunk_visible(c.source_kind, c.allowed_doctor_ids, c.module, c.patient_id,
                                          search_chunks.doctor_id, filter_modules, filter_source_kinds, filter_patient_id)
        ORDER BY rank_value DESC, c.id
        LIMIT pool
      ) l;
      EXIT WHEN coalesce(cardinality(lexical_ids), 0) >= match_count;
    END LOOP;
  END IF;

  IF filter_patient_id IS NOT NULL THEN
    use_exact := true;
  ELSIF filter_modules IS NOT NULL OR filter_source_kinds IS NOT NULL THEN
    -- Bounded count: stops at the threshold, so its cost does not grow with the table.
    SELECT count(*) < exact_scan_threshold INTO use_exact
    FROM (
      SELECT 1 FROM llm_assistant.docs_chunks c
      WHERE llm_assistant.chunk_visible(c.source_kind, c.allowed_doctor_ids, c.module, c.patient_id,
                                        search_chunks.doctor_id, filter_modules, filter_source_kinds, NULL)
      LIMIT exact_scan_threshold
    ) bounded;
  END IF;

  -- Unfiltered, the planner costs an exact scan below the HNSW index on tens of thousands
  -- of rows (it does not count reading each vector from TOAST): ~150 ms instead of ~2 ms
  -- on MedQuAD. With enable_sort off the order can only come from the index. A filter
  -- keeps the planner's choice: an index on the filter plus a sort is exact and fast when
  -- the filter is selective (7 ms against 77 ms through HNSW at 1% of 100,000 rows).
  IF lexeme_count = 0 AND unfiltered AND coalesce(vector_weight, 0) > 0 THEN
    -- The common vector-only call in one statement, like the query by hand. Unfiltered,
    -- every document is visible, so the iterative scan fills the result unless fewer rows
    -- are visible than asked, and then it returns them all.
    PERFORM set_config('enable_sort', 'off', true);
    RETURN QUERY
    SELECT h.id, h.source_kind, h.collection, h.source_id, h.source_uri, h.module, h.title, h.heading_path, h.url,
           h.chunk_index, h.content, h.metadata, h.patient_id,
           (1 - h.distance)::real AS similarity,
           h.rank AS vector_rank,
           NULL::integer AS lexical_rank,
           (vector_weight / (60.0 + h.rank))::double precision AS score,
           'vector'::text AS match_reason
    FROM (
      SELECT n.*, row_number() OVER (ORDER BY n.distance, n.id)::integer AS rank
      FROM (
        SELECT c.id, c.source_kind, c.collection, c.source_id, c.source_uri, c.module, c.title, c.heading_path, c.url,
               c.chunk_index, c.content, c.metadata, c.patient_id, c.embedding <=> query_embedding AS distance
        FROM llm_assistant.docs_chunks c
        WHERE c.source_kind = 'doc' OR (search_chunks.doctor_id IS NOT NULL AND search_chunks.doctor_id = ANY (c.allowed_doctor_ids))
        ORDER BY c.embedding <=> query_embedding
        LIMIT match_count
      ) n
    ) h
    WHERE 1 - h.distance >= coalesce(min_similarity, 0)
    ORDER BY h.rank;
    RETURN;
  END IF;

  IF coalesce(vector_weight, 0) > 0 THEN
    IF NOT use_exact THEN
      PERFORM set_config('enable_sort', (NOT unfiltered)::text, true);
      SELECT array_agg(h.id ORDER BY h.distance, h.id), array_agg(h.distance ORDER BY h.distance, h.id)
      INTO vector_ids, vector_distances
      FROM (
        SELECT c.id, c.embedding <=> query_embedding AS distance
        FROM llm_assistant.docs_chunks c
        WHERE llm_assistant.chunk_visible(c.source_kind, c.allowed_doctor_ids, c.module, c.patient_id,
                                          search_chunks.doctor_id, filter_modules, filter_source_kinds, filter_patient_id)
        ORDER BY c.embedding <=> query_embedding
        LIMIT pool
      ) h;
      PERFORM set_config('enable_sort', 'on', true);
    END IF;
    IF coalesce(cardinality(vector_ids), 0) < pool THEN
      SELECT array_agg(h.id ORDER BY h.distance, h.id), array_agg(h.distance ORDER BY h.distance, h.id)
      INTO vector_ids, vector_distances
      FROM (
        SELECT c.id, c.embedding <=> query_embedding AS distance
        FROM llm_assistant.docs_chunks c
        WHERE llm_assistant.chunk_visible(c.source_kind, c.allowed_doctor_ids, c.module, c.patient_id,
                                          search_chunks.doctor_id, filter_modules, filter_source_kinds, filter_patient_id)
        -- "+ 0" keeps the planner off the HNSW index: this path must be exact.
        ORDER BY (c.embedding <=> query_embedding) + 0
        LIMIT pool
      ) h;
    END IF;
  END IF;

  IF lexeme_count = 0 THEN
    RETURN QUERY
    SELECT c.id, c.source_kind, c.collection, c.source_id, c.source_uri, c.module, c.title, c.heading_path, c.url,
           c.chunk_index, c.content, c.metadata, c.patient_id,
           (1 - v.distance)::real AS similarity,
           v.rank::integer AS vector_rank,
           NULL::integer AS lexical_rank,
           (vector_weight / (60.0 + v.rank))::double precision AS score,
           'vector'::text AS match_reason
    FROM unnest(vector_ids, vector_distances) WITH ORDINALITY AS v (id, distance, rank)
    JOIN llm_assistant.docs_chunks c ON c.id = v.id
    WHERE 1 - v.distance >= coalesce(min_similarity, 0)
    ORDER BY v.rank;
    RETURN;
  END IF;

  RETURN QUERY
  WITH vector_hits AS (
    SELECT v.id, v.distance, v.rank::integer AS rank
    FROM unnest(vector_ids, vector_distances) WITH ORDINALITY AS v (id, distance, rank)
  ),
  lexical_hits AS (
    SELECT l.id, l.rank::integer AS rank
    FROM unnest(lexical_ids) WITH ORDINALITY AS l (id, rank)
  ),
  fused AS (
    SELECT coalesce(v.id, l.id) AS id,
           v.distance,
           v.rank AS vector_rank,
           l.rank AS lexical_rank,
           coalesce(vector_weight / (60.0 + v.rank), 0) + coalesce(lexical_weight / (60.0 + l.rank), 0) AS score
    FROM vector_hits v
    FULL JOIN lexical_hits l ON l.id = v.id
  )
  SELECT c.id, c.source_kind, c.collection, c.source_id, c.source_uri, c.module, c.title, c.heading_path, c.url,
         c.chunk_index, c.content, c.metadata, c.patient_id,
         (1 - coalesce(f.distance, c.embedding <=> query_embedding))::real AS similarity,
         f.vector_rank, f.lexical_rank, f.score::double precision,
         CASE WHEN f.vector_rank IS NOT NULL AND f.lexical_rank IS NOT NULL THEN 'both'
              WHEN f.vector_rank IS NOT NULL THEN 'vector'
              ELSE 'lexical' END AS match_reason
  FROM fused f
  JOIN llm_assistant.docs_chunks c ON c.id = f.id
  -- Vector hits carry their distance: only lexical-only hits read their embedding again.
  WHERE (1 - coalesce(f.distance, c.embedding <=> query_embedding)) >= coalesce(min_similarity, 0)
  ORDER BY f.score DESC, similarity DESC, c.id
  LIMIT match_count;
END;
$fn$;
