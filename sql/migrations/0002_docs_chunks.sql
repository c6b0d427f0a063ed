-- What is indexed: one row per source (a document file or one part of a patient's
-- record) and one row per chunk. Re-indexing compares sources.content_hash to skip
-- unchanged sources without reading their chunks, and chunk ids (content hashes) to
-- reuse embeddings of unchanged chunks.

-- The embedding model and dimension the stored vectors come from; the service refuses
-- to start with another model rather than mix vectors (see src/ingest/index-state).
CREATE TABLE IF NOT EXISTS llm_assistant.index_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  embedding_model text NOT NULL,
  embedding_dimensions integer NOT NULL,
  chunker_version text NOT NULL,
  -- Bumped when the whole index is rebuilt (new model or chunker); part of every answer
  -- cache key, so no cached answer outlives the index it was built from.
  generation integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A collection is what one re-index run owns (a documentation folder, or 'records'):
-- sources of the collection missing from the run are deleted, other collections untouched.
CREATE TABLE IF NOT EXISTS llm_assistant.sources (
  source_kind text NOT NULL CHECK (source_kind IN ('doc', 'record')),
  collection text NOT NULL,
  source_id text NOT NULL,
  uri text NOT NULL,
  module text,
  title text NOT NULL,
  url text,
  content_hash text NOT NULL,
  patient_id uuid,
  allowed_doctor_ids uuid[] NOT NULL DEFAULT '{}',
  chunk_count integer NOT NULL DEFAULT 0,
  metadata jsonb NOT NULL DEFAULT '{}',
  indexed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_kind, collection, source_id),
  -- A record source without doctors would be visible to nobody; a doc source with
  -- doctors would suggest a restriction that search does not apply.
  CHECK ((source_kind = 'doc' AND patient_id IS NULL AND cardinality(allowed_doctor_ids) = 0)
      OR (source_kind = 'record' AND patient_id IS NOT NULL AND cardinality(allowed_doctor_ids) > 0))
);
CREATE INDEX IF NOT EXISTS sources_patient_idx ON llm_assistant.sources (patient_id) WHERE patient_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS llm_assistant.docs_chunks (
  -- sha256 (hex) of source identity, heading path, content and metadata.
  id text PRIMARY KEY,
  source_kind text NOT NULL CHECK (source_kind IN ('doc', 'record')),
  collection text NOT NULL,
  source_id text NOT NULL,
  source_uri text NOT NULL,
  module text,
  title text NOT NULL,
  heading_path text[] NOT NULL DEFAULT '{}',
  -- heading_path below the title, joined: array_to_string is not immutable, so the
  -- full-text column cannot derive it.
  heading text NOT NULL DEFAULT '',
  url text,
  chunk_index integer NOT NULL,
  content text NOT NULL,
  -- sha256 of the embedded text: a chunk moved to another source (a renamed file) reuses
  -- the stored embedding instead of calling the model again.
  content_hash text NOT NULL,
  token_count integer NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  patient_id uuid,
  allowed_doctor_ids uuid[] NOT NULL DEFAULT '{}',
  embedding vector(1536) NOT NULL,
  -- Title and headings weigh more than body text in lexical ranking.
  fts tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('english', heading), 'B') ||
    setweight(to_tsvector('english', content), 'D')
  ) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (source_kind, collection, source_id)
    REFERENCES llm_assistant.sources (source_kind, collection, source_id) ON DELETE CASCADE,
  CHECK ((source_kind = 'doc' AND patient_id IS NULL AND cardinality(allowed_doctor_ids) = 0)
      OR (source_kind = 'record' AND patient_id IS NOT NULL AND cardinality(allowed_doctor_ids) > 0))
);

-- m = 32, ef_construction = 200: on MedQuAD's offline vectors the default build (16, 64)
-- finds ~83% of the true top 10 at ef_search 100, this one ~94% (docs/retrieval-research.md).
CREATE INDEX IF NOT EXISTS docs_chunks_embedding_hnsw
  ON llm_assistant.docs_chunks USING hnsw (embedding vector_cosine_ops) WITH (m = 32, ef_construction = 200);
CREATE INDEX IF NOT EXISTS docs_chunks_fts_gin ON llm_assistant.docs_chunks USING gin (fts);
CREATE INDEX IF NOT EXISTS docs_chunks_source_idx ON llm_assistant.docs_chunks (source_kind, collection, source_id, chunk_index);
CREATE INDEX IF NOT EXISTS docs_chunks_content_hash_idx ON llm_assistant.docs_chunks (content_hash);
CREATE INDEX IF NOT EXISTS docs_chunks_module_idx ON llm_assistant.docs_chunks (module);
CREATE INDEX IF NOT EXISTS docs_chunks_patient_idx ON llm_assistant.docs_chunks (patient_id) WHERE patient_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS docs_chunks_doctors_gin ON llm_assistant.docs_chunks USING gin (allowed_doctor_ids) WHERE source_kind = 'record';
