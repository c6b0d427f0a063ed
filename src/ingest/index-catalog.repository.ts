import type { Queryable } from '../db/database.js';

/** Documentation indexed per collection and module. */
export interface CollectionModuleCount {
  collection: string;
  module: string | null;
  documents: number;
  chunks: number;
  tokens: number;
  lastIndexedAt: Date | null;
}

/** Patients' records as counts only: nothing about who they are. */
export interface RecordCounts {
  patients: number;
  sources: number;
  chunks: number;
}

export interface ModuleSummaryRow {
  name: string;
  title: string;
  documentCount: number;
}

export interface IndexedDocument {
  collection: string;
  sourceId: string;
  uri: string;
  module: string | null;
  title: string;
  url: string | null;
  chunkCount: number;
  indexedAt: Date;
}

export interface IndexedChunk {
  id: string;
  collection: string;
  sourceId: string;
  module: string | null;
  title: string;
  headingPath: string[];
  url: string | null;
  chunkIndex: number;
  tokenCount: number;
  content: string;
}

export interface DocumentFilter {
  /** Text in the title, the path or any chunk of the document (case-insensitive). */
  text?: string;
  module?: string;
  collection?: string;
  limit: number;
  offset: number;
}

// Columns are named as the exported types name them, so rows are returned as they come.
// Sources rather than chunks for the counts: one row per document, its chunk count kept with it.
const COUNT_DOCUMENTATION = `
  SELECT s.collection, s.module, count(*)::int AS documents, sum(s.chunk_count)::int AS chunks,
         coalesce(sum(t.tokens), 0)::int AS tokens, max(s.indexed_at) AS "lastIndexedAt"
  FROM llm_assistant.sources s
  LEFT JOIN LATERAL (
    SELECT sum(c.token_count) AS tokens FROM llm_assistant.docs_chunks c
    WHERE c.source_kind = 'doc' AND c.collection = s.collection AND c.source_id = s.source_id
  ) t ON true
  WHERE s.source_kind = 'doc'
  GROUP BY s.collection, s.module
  ORDER BY s.collection, s.module NULLS FIRST`;

const COUNT_RECORDS = `
  SELECT count(DISTINCT patient_id)::int AS patients, count(*)::int AS sources, coalesce(sum(chunk_count), 0)::int AS chunks
  FROM llm_assistant.sources WHERE source_kind = 'record'`;

const SELECT_MODULES = `SELECT name, title, document_count AS "documentCount" FROM llm_assistant.module_summaries ORDER BY name`;

// $1: an ILIKE pattern or null. A document matches on its title, its path or one of its chunks.
const DOCUMENT_MATCH = `
  s.source_kind = 'doc'
  AND ($1::text IS NULL OR s.title ILIKE $1 OR s.source_id ILIKE $1 OR EXISTS (
    SELECT 1 FROM llm_assistant.docs_chunks c
    WHERE c.source_kind = 'doc' AND c.collection = s.collection AND c.source_id = s.source_id
      AND (c.content ILIKE $1 OR c.heading ILIKE $1)))
  AND ($2::text IS NULL OR s.module = $2)
  AND ($3::text IS NULL OR s.collection = $3)`;

const SELECT_DOCUMENTS = `
  SELECT s.collection, s.source_id AS "sourceId", s.uri, s.module, s.title, s.url, s.chunk_count AS "chunkCount",
         s.indexed_at AS "indexedAt"
  FROM llm_assistant.sources s WHERE ${DOCUMENT_MATCH}
  ORDER BY s.collection, s.source_id LIMIT $4 OFFSET $5`;

const COUNT_DOCUMENTS = `SELECT count(*)::int AS total FROM llm_assistant.sources s WHERE ${DOCUMENT_MATCH}`;

const CHUNK_COLUMNS = `id, collection, source_id AS "sourceId", module, title, heading_path AS "headingPath", url,
  chunk_index AS "chunkIndex", token_count AS "tokenCount", content`;

const SELECT_DOCUMENT_CHUNKS = `
  SELECT ${CHUNK_COLUMNS} FROM llm_assistant.docs_chunks
  WHERE source_kind = 'doc' AND collection = $1 AND source_id = $2
    AND ($3::text IS NULL OR content ILIKE $3 OR heading ILIKE $3)
  ORDER BY chunk_index`;

// Documentation only: a record chunk is never shown outside a doctor's scope.
const SELECT_CHUNK = `SELECT ${CHUNK_COLUMNS} FROM llm_assistant.docs_chunks WHERE id = $1 AND source_kind = 'doc'`;

/** Read-only views of what is indexed, for the admin console: documentation in full, records as counts. */
export class IndexCatalog {
  constructor(private readonly db: Queryable) {}

  async documentation(): Promise<CollectionModuleCount[]> {
    const { rows } = await this.db.query<CollectionModuleCount>(COUNT_DOCUMENTATION);
    return rows;
  }

  async records(): Promise<RecordCounts> {
    const { rows } = await this.db.query<RecordCounts>(COUNT_RECORDS);
    return rows[0] ?? { patients: 0, sources: 0, chunks: 0 };
  }

  async modules(): Promise<ModuleSummaryRow[]> {
    const { rows } = await this.db.query<ModuleSummaryRow>(SELECT_MODULES);
    return rows;
  }

  /** A page of documentation documents matching the filter, with how many match in all. */
  async documents(filter: DocumentFilter): Promise<{ total: number; documents: IndexedDocument[] }> {
    const match = [likePattern(filter.text), filter.module ?? null, filter.collection ?? null];
    const { rows } = await this.db.query<IndexedDocument>(SELECT_DOCUMENTS, [...match, filter.limit, filter.offset]);
    const { rows: count } = await this.db.query<{ total: number }>(COUNT_DOCUMENTS, match);
    return { total: count[0]?.total ?? 0, documents: rows };
  }

  /** A document's chunks in order; with `text`, only those that hold it. */
  async documentChunks(collection: string, sourceId: string, text?: string): Promise<IndexedChunk[]> {
    const { rows } = await this.db.query<IndexedChunk>(SELECT_DOCUMENT_CHUNKS, [collection, sourceId, likePattern(text)]);
    return rows;
  }

  /** A documentation chunk by id; null for an unknown id or a record chunk. */
  async chunk(id: string): Promise<IndexedChunk | null> {
    const { rows } = await this.db.query<IndexedChunk>(SELECT_CHUNK, [id]);
    return rows[0] ?? null;
  }
}

/** An ILIKE pattern matching `text` anywhere, its wildcards taken literally; null for no filter. */
function likePattern(text: string | undefined): string | null {
  if (!text) return null;
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}
