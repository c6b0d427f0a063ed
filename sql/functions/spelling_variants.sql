-- The strings one edit away from `word` (a letter deleted, two neighbours swapped, a
-- letter replaced or inserted): the candidates a misspelled question word is corrected
-- from (lexical_candidates.sql keeps those the corpus has). Peter Norvig's generator;
-- 54n + 25 strings for a word of n letters, checked against the vocabulary's index.
CREATE OR REPLACE FUNCTION llm_assistant.spelling_variants(word text)
RETURNS SETOF text
LANGUAGE sql
IMMUTABLE
AS $fn$
  WITH letters AS (SELECT letter FROM unnest(string_to_array('abcdefghijklmnopqrstuvwxyz', NULL)) AS letter),
       cut AS (SELECT i, left(word, i) AS head, substr(word, i + 1) AS tail FROM generate_series(0, length(word)) AS i)
  -- UNION ALL: a variant made twice is harmless to whoever looks it up, and cheaper than sorting them out.
  SELECT head || substr(tail, 2) FROM cut WHERE tail <> ''
  UNION ALL SELECT head || substr(tail, 2, 1) || left(tail, 1) || substr(tail, 3) FROM cut WHERE length(tail) > 1
  UNION ALL SELECT head || letter || substr(tail, 2) FROM cut, letters WHERE tail <> ''
  UNION ALL SELECT head || letter || tail FROM cut, letters
$fn$;
