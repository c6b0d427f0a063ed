-- The chunks that best match query_text by BM25 among those visible to doctor_id under
-- the filters, best first, with their score and coverage: the share of the question's
-- term weight (by IDF) that the chunk holds. A word the corpus lacks counts fully against
-- coverage, which is what tells an unrelated question apart. `names_title`: the chunk's
-- title holds every word of the question ("gout", "What is tremor?").
--
-- BM25F as Lucene writes it: IDF = ln(1 + (N - n + 0.5) / (n + 0.5)) from the lexical
-- index of migration 0014 (kept current by ingestion), term frequency saturated by k1
-- and normalised by the chunk's length (b), an occurrence in the title or a heading
-- counting title_weight or heading_weight body occurrences.
-- The return type gained names_title: dropped and created again.
DROP FUNCTION IF EXISTS llm_assistant.lexical_candidates(text, integer, uuid, text[], text[], uuid, real, real, real, real);
CREATE FUNCTION llm_assistant.lexical_candidates(
  query_text text,
  candidate_count integer,
  doctor_id uuid,
  filter_modules text[],
  filter_source_kinds text[],
  filter_patient_id uuid,
  title_weight real DEFAULT 2,
  heading_weight real DEFAULT 2,
  k1 real DEFAULT 1.2,
  b real DEFAULT 0.75
)
RETURNS TABLE (id text, score double precision, coverage real, names_title boolean, rank integer)
LANGUAGE sql
STABLE
-- What a call returns, about: planned as 1,000 rows, the fusion's lookup hashed the whole table.
ROWS 50
AS $fn$
  -- Records are searched only for a doctor, documentation only when no filter excludes it.
  WITH searched_kinds AS (
    SELECT k.source_kind, k.chunk_count, k.total_length::double precision / greatest(k.chunk_count, 1) AS average_length
    FROM llm_assistant.lexical_corpus k
    WHERE (filter_source_kinds IS NULL OR k.source_kind = ANY (filter_source_kinds))
      AND (k.source_kind = 'record' OR filter_patient_id IS NULL)
      AND (k.source_kind = 'doc' OR lexical_candidates.doctor_id IS NOT NULL)
  ),
  -- A question word the searched chunks lack, of six letters or more, is read as the word
  -- one edit away that most chunks hold ("vitaligo" -> "vitiligo"); failing that, as the
  -- closest word that sounds alike (same Soundex code, at most three edits and a third of
  -- the longer word: "excema" -> "eczema", "hemroids" -> "hemorrhoids", not "pancake" ->
  -- "Pancoast"). Shorter words have too many neighbours that are other words.
  query_words AS (
    SELECT q.lexeme,
           length(q.lexeme) >= 6 AND q.lexeme ~ '^[a-z]+$'
             AND NOT EXISTS (SELECT 1 FROM llm_assistant.lexical_terms known
                             WHERE known.source_kind IN (SELECT source_kind FROM searched_kinds) AND known.term = q.lexeme) AS correctable
    FROM (SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('english', query_text))) AS lexeme) q
  ),
  query_terms AS (
    SELECT DISTINCT coalesce(correction.term, w.lexeme) AS term
    FROM query_words w
    LEFT JOIN LATERAL (
      SELECT candidate.term
      FROM (
        SELECT t.term, 1 AS edits, t.chunk_count
        FROM llm_assistant.lexical_terms t
        -- The word's own condition first: checked once, before any variant is made.
        WHERE w.correctable
          AND t.source_kind IN (SELECT source_kind FROM searched_kinds)
          -- An array, not IN: the few hundred variants are probed through the primary key.
          AND t.term = ANY (ARRAY(SELECT llm_assistant.spelling_variants(w.lexeme)))
        UNION ALL
        SELECT t.term, levenshtein(w.lexeme, t.term), t.chunk_count
        FROM llm_assistant.lexical_terms t
        WHERE w.correctable
          AND t.source_kind IN (SELECT source_kind FROM searched_kinds)
          AND soundex(t.term) = soundex(w.lexeme)
          AND levenshtein(w.lexeme, t.term) BETWEEN 2 AND least(3, greatest(length(w.lexeme), length(t.term)) / 3)
      ) candidate
      ORDER BY candidate.edits, candidate.chunk_count DESC, candidate.term
      LIMIT 1
    ) correction ON true
  ),
  term_weights AS (
    SELECT q.term, k.source_kind, k.average_length,
           ln(1 + (k.chunk_count - n.chunk_count + 0.5) / (n.chunk_count + 0.5)) AS idf
    FROM query_terms q
    CROSS JOIN searched_kinds k
    -- One index probe per term: as a join, the planner read every term; as a scalar
    -- subquery, it probed once for each use of the count.
    CROSS JOIN LATERAL (
      SELECT coalesce(max(s.chunk_count), 0) AS chunk_count
      FROM llm_assistant.lexical_terms s
      WHERE s.source_kind = k.source_kind AND s.term = q.term
    ) n
  ),
  question_weight AS (
    SELECT w.source_kind, sum(w.idf) AS idf FROM term_weights w GROUP BY w.source_kind
  ),
  scored AS (
    SELECT p.chunk_key,
           sum(w.idf * f.tf * (k1 + 1) / (f.tf + k1 * (1 - b + b * p.chunk_length / w.average_length))) AS score,
           (sum(w.idf) / min(q.idf))::real AS coverage,
           count(*) FILTER (WHERE p.title_count > 0) = (SELECT count(*) FROM query_terms) AS names_title
    FROM term_weights w
    JOIN llm_assistant.lexical_postings p ON p.source_kind = w.source_kind AND p.term = w.term
    JOIN question_weight q ON q.source_kind = w.source_kind
    CROSS JOIN LATERAL (SELECT title_weight * p.title_count + heading_weight * p.heading_count + p.body_count AS tf) f
    GROUP BY p.chunk_key
  )
  SELECT v.id, s.score, s.coverage, s.names_title, (row_number() OVER (ORDER BY s.score DESC, s.chunk_key))::integer
  FROM (SELECT * FROM scored ORDER BY scored.score DESC, scored.chunk_key) s
  -- Best first, one probe per chunk until enough are visible; the LIMIT keeps the planner
  -- from turning this into a join over the whole table.
  CROSS JOIN LATERAL (
    SELECT c.id FROM llm_assistant.docs_chunks c
    WHERE c.chunk_key = s.chunk_key
      AND llm_assistant.chunk_visible(c.source_kind, c.allowed_doctor_ids, c.module, c.patient_id,
                                      lexical_candidates.doctor_id, filter_modules, filter_source_kinds, filter_patient_id)
    LIMIT 1
  ) v
  ORDER BY s.score DESC, s.chunk_key
  LIMIT greatest(candidate_count, 0);
$fn$;
