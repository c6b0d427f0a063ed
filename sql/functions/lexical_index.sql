-- Keeps the lexical index of migration 0014 (postings, term counts, corpus size) equal to
-- one built from the chunks: every statement that adds, removes or rewrites chunks
-- indexes their words in or out, in the same transaction, so a rolled-back re-index
-- leaves it as it was.

-- Adds (sign 1) or removes (sign -1) chunks from the index. Rows are written in key
-- order, so concurrent ingests wait for each other instead of deadlocking.
CREATE OR REPLACE FUNCTION llm_assistant.change_lexical_index(
  sign integer,
  source_kinds text[],
  chunk_keys bigint[],
  titles text[],
  headings text[],
  contents text[]
)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  emptied text[];
BEGIN
  IF cardinality(chunk_keys) IS NULL THEN
    RETURN;
  END IF;

  WITH changed AS MATERIALIZED (
    SELECT c.source_kind, p.term, c.chunk_key, p.title_count, p.heading_count, p.body_count,
           sum(p.title_count + p.heading_count + p.body_count) OVER (PARTITION BY c.chunk_key) AS chunk_length
    FROM unnest(source_kinds, chunk_keys, titles, headings, contents) AS c (source_kind, chunk_key, title, heading, content),
         llm_assistant.chunk_postings(c.title, c.heading, c.content) p
  ),
  added_postings AS (
    INSERT INTO llm_assistant.lexical_postings
    SELECT * FROM changed WHERE sign > 0 ORDER BY source_kind, term, chunk_key
  ),
  removed_postings AS (
    DELETE FROM llm_assistant.lexical_postings p USING changed d
    WHERE sign < 0 AND (p.source_kind, p.term, p.chunk_key) = (d.source_kind, d.term, d.chunk_key)
  ),
  -- A chunk without any indexed word still counts in the corpus size.
  corpus AS (
    INSERT INTO llm_assistant.lexical_corpus AS k (source_kind, chunk_count, total_length)
    SELECT c.source_kind, sign * count(*), sign * coalesce(sum(l.length), 0)
    FROM unnest(source_kinds, chunk_keys) AS c (source_kind, chunk_key)
    LEFT JOIN (SELECT d.chunk_key, max(d.chunk_length) AS length FROM changed d GROUP BY d.chunk_key) l
      ON l.chunk_key = c.chunk_key
    GROUP BY c.source_kind
    ORDER BY c.source_kind
    ON CONFLICT (source_kind) DO UPDATE
      SET chunk_count = k.chunk_count + excluded.chunk_count, total_length = k.total_length + excluded.total_length
  ),
  counted AS (
    INSERT INTO llm_assistant.lexical_terms AS t (source_kind, term, chunk_count)
    SELECT d.source_kind, d.term, sign * count(*)
    FROM changed d
    GROUP BY d.source_kind, d.term
    ORDER BY d.source_kind, d.term
    ON CONFLICT (source_kind, term) DO UPDATE SET chunk_count = t.chunk_count + excluded.chunk_count
    RETURNING t.source_kind, t.term, t.chunk_count
  )
  SELECT array_agg(counted.source_kind || ' ' || counted.term) INTO emptied FROM counted WHERE counted.chunk_count = 0;
  -- A term no chunk holds any more leaves the statistics (it was just updated to 0 above).
  DELETE FROM llm_assistant.lexical_terms t WHERE t.source_kind || ' ' || t.term = ANY (emptied);
END;
$fn$;

-- Transition tables exist only for the events that have them, so each statement below
-- names only the tables of the events it runs for. An update that leaves a chunk's words
-- alone (its index, its doctors) changes nothing.
CREATE OR REPLACE FUNCTION llm_assistant.update_lexical_index() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  rewritten bigint[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(r.chunk_key) INTO rewritten
    FROM removed r JOIN added a ON a.chunk_key = r.chunk_key
    WHERE (r.source_kind, r.title, r.heading, r.content) IS DISTINCT FROM (a.source_kind, a.title, a.heading, a.content);
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM llm_assistant.change_lexical_index(-1, array_agg(r.source_kind), array_agg(r.chunk_key),
                                               array_agg(r.title), array_agg(r.heading), array_agg(r.content))
    FROM removed r
    WHERE TG_OP = 'DELETE' OR r.chunk_key = ANY (rewritten);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM llm_assistant.change_lexical_index(1, array_agg(a.source_kind), array_agg(a.chunk_key),
                                               array_agg(a.title), array_agg(a.heading), array_agg(a.content))
    FROM added a
    WHERE TG_OP = 'INSERT' OR a.chunk_key = ANY (rewritten);
  END IF;
  RETURN NULL;
END;
$fn$;

-- One trigger per event: a trigger with transition tables may have only one (and no column list).
CREATE OR REPLACE TRIGGER docs_chunks_lexical_insert AFTER INSERT ON llm_assistant.docs_chunks REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.update_lexical_index();
CREATE OR REPLACE TRIGGER docs_chunks_lexical_delete AFTER DELETE ON llm_assistant.docs_chunks REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.update_lexical_index();
CREATE OR REPLACE TRIGGER docs_chunks_lexical_update AFTER UPDATE ON llm_assistant.docs_chunks REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION llm_assistant.update_lexical_index();
