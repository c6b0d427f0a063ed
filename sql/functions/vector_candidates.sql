-- The chunks nearest to query_embedding among those visible to doctor_id under the
-- filters, nearest first, with their cosine distance.
--
-- From the HNSW index with an iterative scan (pgvector >= 0.8), or from an exact scan
-- over the filtered rows: chosen up front for a patient, or when a module or source-kind
-- filter leaves fewer than exact_scan_threshold rows (a bounded count); and taken after
-- the index whenever the index returned fewer rows than asked.
CREATE OR REPLACE FUNCTION llm_assistant.vector_candidates(
  query_embedding vector(1536),
  candidate_count integer,
  doctor_id uuid,
  filter_modules text[],
  filter_source_kinds text[],
  filter_patient_id uuid,
  ef_search integer,
  exact_scan_threshold integer
)
RETURNS TABLE (id text, distance double precision, rank integer)
LANGUAGE plpgsql
STABLE
-- What a call returns, about: planned as 1,000 rows, the fusion's lookup hashed the whole table.
ROWS 50
-- Restored when the function returns, so the set_config calls below stay inside it.
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.ef_search = 100
SET enable_sort = on
SET enable_indexscan = on
-- enable_sort = off prices a sort at 10^10, which would make PostgreSQL JIT-compile a
-- query that runs in milliseconds; no search here gains from JIT.
SET jit = off
-- A plan is only good for its filters: a generic plan cannot use the index of a filter.
SET plan_cache_mode = force_custom_plan
AS $fn$
#variable_conflict use_column
DECLARE
  unfiltered boolean := filter_modules IS NULL AND filter_source_kinds IS NULL AND filter_patient_id IS NULL;
  use_exact boolean := filter_patient_id IS NOT NULL;
  exact boolean;
  ids text[];
  distances double precision[];
BEGIN
  IF candidate_count IS NULL OR candidate_count < 1 THEN
    RETURN;
  END IF;
  -- ef_search must cover the count, or HNSW returns fewer candidates than asked.
  PERFORM set_config('hnsw.ef_search', greatest(coalesce(ef_search, 100), candidate_count)::text, true);

  IF NOT use_exact AND NOT unfiltered THEN
    -- Bounded count: stops at the threshold, so its cost does not grow with the table.
    SELECT count(*) < exact_scan_threshold INTO use_exact
    FROM (
      SELECT 1 FROM llm_assistant.docs_chunks c
      WHERE llm_assistant.chunk_visible(c.source_kind, c.allowed_doctor_ids, c.module, c.patient_id,
                                        vector_candidates.doctor_id, filter_modules, filter_source_kinds, NULL)
      LIMIT exact_scan_threshold
    ) bounded;
  END IF;

  -- At most two passes: the HNSW index (unless an exact scan was chosen above), then an
  -- exact scan whenever the index returned fewer rows than asked.
  FOREACH exact IN ARRAY ARRAY[false, true] LOOP
    CONTINUE WHEN NOT exact AND use_exact;
    EXIT WHEN exact AND coalesce(cardinality(ids), 0) >= candidate_count;
    -- Unfiltered, the planner prices an exact scan below the index (it does not count
    -- reading each vector from TOAST, which makes it far slower); with sorting off the
    -- order can only come from the index. A filter keeps the planner's choice; the exact
    -- pass turns index scans off (bitmap scans of the filters' b-trees remain).
    PERFORM set_config('enable_sort', (exact OR NOT unfiltered)::text, true);
    PERFORM set_config('enable_indexscan', (NOT exact)::text, true);
    SELECT array_agg(h.id ORDER BY h.distance, h.id), array_agg(h.distance ORDER BY h.distance, h.id)
    INTO ids, distances
    FROM (
      SELECT c.id, c.embedding <=> query_embedding AS distance
      FROM llm_assistant.docs_chunks c
      WHERE llm_assistant.chunk_visible(c.source_kind, c.allowed_doctor_ids, c.module, c.patient_id,
                                        vector_candidates.doctor_id, filter_modules, filter_source_kinds, filter_patient_id)
      ORDER BY c.embedding <=> query_embedding
      LIMIT candidate_count
    ) h;
  END LOOP;

  RETURN QUERY
  SELECT v.id, v.distance, v.rank::integer
  FROM unnest(ids, distances) WITH ORDINALITY AS v (id, distance, rank);
END;
$fn$;
