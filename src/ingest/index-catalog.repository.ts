import type { Queryable } from '../db/database.js';

/** Documentation indexed per collection and module. */
export interface CollectionModuleCount {
  collection: string;
  module: string | null;
  documents: number;
  chunks: number;
  tokens: number;
  lastIndexedAt: string | null;
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
  indexedAt: string;
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

// Sources rather than chunks for the counts: one row per document, its chunk count kept with it.
const COUNT_DOCUMENTATION = `
  SELECT s.collection, s.module, count(*)::int AS documents, sum(s.chunk_count)::int AS chunks,
         coalesce(sum(t.tokens), 0)::int AS tokens, max(s.indexed_at) AS last_indexed_at
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

const SELECT_MODULES = `SELECT name, title, document_count FROM llm_assistant.module_summaries ORDER BY name`;

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
  SELECT s.collection, s.source_id, s.uri, s.module, s.title, s.url, s.chunk_count, s.indexed_at
  FROM llm_assistant.sources s WHERE ${DOCUMENT_MATCH}
  ORDER BY s.collection, s.source_id LIMIT $4 OFFSET $5`;

const COUNT_DOCUMENTS = `SELECT count(*)::int AS total FROM llm_assistant.sources s WHERE ${DOCUMENT_MATCH}`;

const CHUNK_COLUMNS = 'id, collection, source_id, module, title, heading_path, url, chunk_index, token_count, content';

const SELECT_DOCUMENT_CHUNKS = `
  SELECT ${CHUNK_COLUMNS} FROM llm_assistant.docs_chunks
  WHERE source_kind = 'doc' AND collection = $1 AND source_id = $2
    AND ($3::text IS NULL OR content ILIKE $3 OR heading ILIKE $3)
  ORDER BY chunk_index`;

// Documentation only: a record chunk is never shown outside a doctor's scope.
const SELECT_CHUNK = `SELECT ${CHUNK_COLUMNS} FROM llm_assistant.docs_chunks WHERE id = $1 AND source_kind = 'doc'`;

interface ChunkRow {
  id: string;
  collection: string;
  source_id: string;
  module: string | null;
  title: string;
  heading_path: string[];
  url: string | null;
  chunk_index: number;
  token_count: number;
  content: string;
}

/** Read-only views of what is indexed, for the admin console: documentation in full, records as counts. */
export class IndexCatalog {
  constructor(private readonly db: Queryable) {}

  async documentation(): Promise<CollectionModuleCount[]> {
    const { rows } = await this.db.query<{
      collection: string;
      module: string | null;
      documents: number;
      chunks: number;
      tokens: number;
      last_indexed_at: Date | null;
    }>(COUNT_DOCUMENTATION);
    return rows.map((row) => ({
      collection: row.collection,
      module: row.module,
      documents: row.documents,
      chunks: row.chunks,
      tokens: row.tokens,
      lastIndexedAt: row.last_indexed_at?.toISOString() ?? null,
    }));
  }

  async records(): Promise<RecordCounts> {
    const { rows } = await this.db.query<RecordCounts>(COUNT_RECORDS);
    return rows[0] ?? { patients: 0, sources: 0, chunks: 0 };
  }

  async modules(): Promise<ModuleSummaryRow[]> {
    const { rows } = await this.db.query<{ name: string; title: string; document_count: number }>(SELECT_MODULES);
    return rows.map((row) => ({ name: row.name, title: row.title, documentCount: row.document_count }));
  }

  /** A page of documentation documents matching the filter, with how many match in all. */
  async documents(filter: DocumentFilter): Promise<{ total: number; documents: IndexedDocument[] }> {
    const match = [likePattern(filter.text), filter.module ?? null, filter.collection ?? null];
    const { rows } = await this.db.query<{
      collection: string;
      source_id: string;
      uri: string;
      module: string | null;
      title: string;
      url: string | null;
      chunk_count: number;
      indexed_at: Date;
    }>(SELECT_DOCUMENTS, [...match, filter.limit, filter.offset]);
    const { rows: count } = await this.db.query<{ total: number }>(COUNT_DOCUMENTS, match);
    return {
      total: count[0]?.total ?? 0,
      documents: rows.map((row) => ({
        collection: row.collection,
        sourceId: row.source_id,
        uri: row.uri,
        module: row.module,
        title: row.title,
        url: row.url,
        chunkCount: row.chunk_count,
        indexedAt: row.indexed_at.toISOString(),
      })),
    };
  }

  /** A document's chunks in order; with `text`, only those that hold it. */
  async documentChunks(collection: string, sourceId: string, text?: string): Promise<IndexedChunk[]> {
    const { rows } = await this.db.query<ChunkRow>(SELECT_DOCUMENT_CHUNKS, [collection, sourceId, likePattern(text)]);
    return rows.map(toChunk);
  }

  /** A documentation chunk by id; null for an unknown id or a record chunk. */
  async chunk(id: string): Promise<IndexedChunk | null> {
    const { rows } = await this.db.query<ChunkRow>(SELECT_CHUNK, [id]);
    return rows[0] ? toChunk(rows[0]) : null;
  }
}

/** An ILIKE pattern matching `text` anywhere, its wildcards taken literally; null for no filter. */
function likePattern(text: string | undefined): string | null {
  if (!text) return null;
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

function toChunk(row: ChunkRow): IndexedChunk {
  return {
    id: row.id,
    collection: row.collection,
    sourceId: row.source_id,
    module: row.module,
    title: row.title,
    headingPath: row.heading_path,
    url: row.url,
    chunkIndex: row.chunk_index,
    tokenCount: row.token_count,
    content: row.content,
  };
}
