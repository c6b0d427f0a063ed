import type pg from 'pg';
import { withTransaction, type Queryable } from '../db/database.js';
import { encodeVectorArray } from '../db/vector-binary.js';
import type { SourceKind } from './types.js';

/** A source ready to write: its row, and its chunks with their fate decided. */
export interface PreparedSource {
  sourceId: string;
  uri: string;
  module: string | null;
  title: string;
  url: string | null;
  sourceHash: string;
  patientId: string | null;
  allowedDoctorIds: string[];
  metadata: Record<string, unknown>;
  chunks: PreparedChunk[];
}

export interface PreparedChunk {
  id: string;
  chunkIndex: number;
  headingPath: string[];
  content: string;
  /** Heading path + content: what is embedded; its sha256 is `contentHash`. */
  embeddingText: string;
  contentHash: string;
  tokenCount: number;
  metadata: Record<string, unknown>;
  /** Already stored under this id: only its position and access fields are refreshed. */
  kept: boolean;
  /** New id; null embedding = reuse the stored embedding of a chunk with the same content hash. */
  embedding: Float32Array | null;
}

// Arrays of arrays cannot go through unnest, so heading paths and doctor lists travel
// as strings joined with the ASCII unit separator, which no heading contains.
const UNIT_SEPARATOR = '\u001f';

const SELECT_SOURCE_HASHES = `
  SELECT source_id, content_hash, chunk_count FROM llm_assistant.sources
  WHERE source_kind = $1 AND collection = $2 AND ($3::text[] IS NULL OR source_id LIKE ANY ($3))`;

const SELECT_STORED_CHUNKS = `
  SELECT source_id, id, chunk_index FROM llm_assistant.docs_chunks
  WHERE source_kind = $1 AND collection = $2 AND source_id = ANY ($3)`;

// One index probe per hash, whatever the statistics say: right after a bulk load
// (never analyzed) the planner would scan the whole table for \`content_hash = ANY\`.
const SELECT_STORED_CONTENT_HASHES = `
  SELECT h.content_hash FROM unnest($1::text[]) AS h (content_hash)
  CROSS JOIN LATERAL (SELECT FROM llm_assistant.docs_chunks c WHERE c.content_hash = h.content_hash LIMIT 1) AS stored`;

const UPSERT_SOURCES = `
  INSERT INTO llm_assistant.sources AS s
    (source_kind, collection, source_id, uri, module, title, url, content_hash, patient_id,
     allowed_doctor_ids, chunk_count, metadata, indexed_at)
  SELECT $1, $2, u.source_id, u.uri, u.module, u.title, u.url, u.content_hash, u.patient_id::uuid,
         string_to_array(u.doctors, chr(31))::uuid[], u.chunk_count, u.metadata::jsonb, now()
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
              $10::text[], $11::int[], $12::text[])
       AS u (source_id, uri, module, title, url, content_hash, patient_id, doctors, chunk_count, metadata)
  ON CONFLICT (source_kind, collection, source_id) DO UPDATE SET
    uri = excluded.uri, module = excluded.module, title = excluded.title, url = excluded.url,
    content_hash = excluded.content_hash, patient_id = excluded.patient_id,
    allowed_doctor_ids = excluded.allowed_doctor_ids, chunk_count = excluded.chunk_count,
    metadata = excluded.metadata, indexed_at = now()
  RETURNING source_id, xmax = 0 AS inserted`;

// New chunks, in one statement per 500. A null embedding copies the stored vector of a
// chunk with the same text: a renamed file or a chunk shared by two documents costs no
// embedding call. Ids already stored (a concurrent push of the same source) are skipped.
// Embeddings travel as one binary vector[] parameter.
const INSERT_CHUNKS = `
  INSERT INTO llm_assistant.docs_chunks
    (id, source_kind, collection, source_id, source_uri, module, title, heading_path, heading, url,
     chunk_index, content, content_hash, token_count, metadata, patient_id, allowed_doctor_ids, embedding)
  SELECT u.id, $1, $2, u.source_id, u.uri, u.module, u.title,
         string_to_array(u.heading_path, chr(31)), u.heading, u.url, u.chunk_index, u.content,
         u.content_hash, u.token_count, u.metadata::jsonb, u.patient_id::uuid,
         string_to_array(u.doctors, chr(31))::uuid[],
         COALESCE(u.embedding,
                  (SELECT c.embedding FROM llm_assistant.docs_chunks c WHERE c.content_hash = u.content_hash LIMIT 1))
  FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int[], $16::text[],
              $17::text[], $18::vector[])
       AS u (id, chunk_index, uri, module, url, doctors,
             source_id, title, heading_path, heading, content, content_hash, token_count, metadata, patient_id, embedding)
  ON CONFLICT (id) DO NOTHING`;

const UPDATE_KEPT_CHUNKS = `
  UPDATE llm_assistant.docs_chunks AS c SET
    chunk_index = u.chunk_index, source_uri = u.uri, module = u.module, url = u.url,
    allowed_doctor_ids = string_to_array(u.doctors, chr(31))::uuid[]
  FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS u (id, chunk_index, uri, module, url, doctors)
  WHERE c.id = u.id`;

const DELETE_STALE_CHUNKS = `
  DELETE FROM llm_assistant.docs_chunks
  WHERE source_kind = $1 AND collection = $2 AND source_id = ANY ($3) AND NOT (id = ANY ($4))`;

const DELETE_SOURCES = `
  DELETE FROM llm_assistant.sources WHERE source_kind = $1 AND collection = $2 AND source_id = ANY ($3)
  RETURNING source_id`;

export interface SourceTarget {
  sourceKind: SourceKind;
  collection: string;
}

export interface StoredSource {
  contentHash: string;
  chunkCount: number;
}

/** Stored sources of a collection (optionally only under some prefixes), by source id. */
export async function selectStoredSources(db: Queryable, target: SourceTarget, prefixes?: string[]): Promise<Map<string, StoredSource>> {
  const patterns = prefixes?.map((prefix) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`) ?? null;
  const { rows } = await db.query<{ source_id: string; content_hash: string; chunk_count: number }>(SELECT_SOURCE_HASHES, [
    target.sourceKind,
    target.collection,
    patterns,
  ]);
  return new Map(rows.map((row) => [row.source_id, { contentHash: row.content_hash, chunkCount: row.chunk_count }]));
}

/** Stored chunk ids and positions of the given sources. */
export async function selectStoredChunks(
  db: Queryable,
  target: SourceTarget,
  sourceIds: string[],
): Promise<Map<string, Map<string, number>>> {
  const bySource = new Map<string, Map<string, number>>();
  if (sourceIds.length === 0) return bySource;
  const { rows } = await db.query<{ source_id: string; id: string; chunk_index: number }>(SELECT_STORED_CHUNKS, [
    target.sourceKind,
    target.collection,
    sourceIds,
  ]);
  for (const row of rows) {
    const chunks = bySource.get(row.source_id) ?? new Map<string, number>();
    chunks.set(row.id, row.chunk_index);
    bySource.set(row.source_id, chunks);
  }
  return bySource;
}

/** Which of these content hashes already have an embedding stored (anywhere). */
export async function selectStoredContentHashes(db: Queryable, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const { rows } = await db.query<{ content_hash: string }>(SELECT_STORED_CONTENT_HASHES, [hashes]);
  return new Set(rows.map((row) => row.content_hash));
}

/**
 * Writes sources with their chunks, inside the caller's transaction: new chunks first
 * (so embedding reuse can still see the old rows), then stale chunks go, then kept
 * chunks get their new positions. A search sees each source whole, old or new.
 */
export async function writeSources(client: pg.PoolClient, target: SourceTarget, sources: PreparedSource[]): Promise<void> {
  if (sources.length === 0) return;
  const { sourceKind, collection } = target;
  const upserted = await client.query<{ source_id: string; inserted: boolean }>(UPSERT_SOURCES, [
    sourceKind,
    collection,
    sources.map((s) => s.sourceId),
    sources.map((s) => s.uri),
    sources.map((s) => s.module),
    sources.map((s) => s.title),
    sources.map((s) => s.url),
    sources.map((s) => s.sourceHash),
    sources.map((s) => s.patientId),
    sources.map((s) => s.allowedDoctorIds.join(UNIT_SEPARATOR)),
    sources.map((s) => s.chunks.length),
    sources.map((s) => JSON.stringify(s.metadata)),
  ]);

  const fresh = sources.flatMap((source) => source.chunks.filter((chunk) => !chunk.kept).map((chunk) => ({ source, chunk })));
  if (fresh.length > 0) await insertChunks(client, target, fresh, await vectorOid(client));

  // A source row inserted just now (xmax = 0) had no chunks: the foreign key needs the
  // row, and a concurrent writer of it would wait on ours. Only the others can hold stale chunks.
  const updated = new Set(upserted.rows.filter((row) => !row.inserted).map((row) => row.source_id));
  if (updated.size > 0) {
    await client.query(DELETE_STALE_CHUNKS, [
      sourceKind,
      collection,
      [...updated],
      sources.filter((s) => updated.has(s.sourceId)).flatMap((s) => s.chunks.map((chunk) => chunk.id)),
    ]);
  }

  const kept = sources.flatMap((source) => source.chunks.filter((chunk) => chunk.kept).map((chunk) => ({ source, chunk })));
  if (kept.length > 0) await client.query(UPDATE_KEPT_CHUNKS, placementColumns(kept));
}

// Writes are not request queries: a batch inserted into a live HNSW graph can take
// longer than the service's request timeout on a busy machine.
const WRITE_STATEMENT_TIMEOUT = '10min';

/**
 * Connections a batch is written over at once. What a row costs is server work in the
 * backend that receives it (the generated tsvector is ~60% of a COPY's server time, then
 * GIN, b-tree and TOAST inserts): two connections put two backends on it.
 */
export const WRITE_CONNECTIONS = 2;

/**
 * Writes a batch of sources in transactions of their own on up to WRITE_CONNECTIONS
 * pooled connections at once (one when the pool has one connection, as PGlite's).
 * Each source is written whole in one transaction, so a search sees it old or new;
 * the batch as a whole is not atomic: after a failure, some of its sources may be new.
 */
export async function writeSourcesConcurrently(pool: pg.Pool, target: SourceTarget, sources: PreparedSource[]): Promise<void> {
  const groups = writeGroups(sources, Math.min(WRITE_CONNECTIONS, pool.options.max));
  const results = await Promise.allSettled(
    groups.map((group) =>
      withTransaction(pool, async (client) => {
        await client.query(`SET LOCAL statement_timeout = '${WRITE_STATEMENT_TIMEOUT}'`);
        await writeSources(client, target, group);
      }),
    ),
  );
  // Every transaction has ended (committed or rolled back) before the first failure is thrown.
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Sources split into at most `ways` groups of about as many chunks. A batch with a chunk
 * that reuses a stored embedding stays whole: that row may be a stale chunk of another
 * source of the batch (text moved between two edited files), which writeSources inserts
 * from before deleting it in one transaction, and which a second transaction could
 * delete first.
 */
function writeGroups(sources: PreparedSource[], ways: number): PreparedSource[][] {
  const reuses = sources.some((source) => source.chunks.some((chunk) => !chunk.kept && !chunk.embedding));
  if (ways < 2 || sources.length < 2 || reuses) return [sources];
  const groups = Array.from({ length: ways }, () => ({ sources: [] as PreparedSource[], chunks: 0 }));
  for (const source of sources) {
    const lightest = groups.reduce((min, group) => (group.chunks < min.chunks ? group : min));
    lightest.sources.push(source);
    lightest.chunks += source.chunks.length;
  }
  return groups.map((group) => group.sources).filter((group) => group.length > 0);
}

type SourceChunk = { source: PreparedSource; chunk: PreparedChunk };

/**
 * Where each chunk sits and who may read it, one array per column: all a kept chunk has
 * refreshed, and the first columns of a new one (UPDATE_KEPT_CHUNKS, INSERT_CHUNKS).
 */
function placementColumns(rows: SourceChunk[]): [string[], number[], string[], (string | null)[], (string | null)[], string[]] {
  return [
    rows.map((r) => r.chunk.id),
    rows.map((r) => r.chunk.chunkIndex),
    rows.map((r) => r.source.uri),
    rows.map((r) => r.source.module),
    rows.map((r) => r.source.url),
    rows.map((r) => r.source.allowedDoctorIds.join(UNIT_SEPARATOR)),
  ];
}

async function insertChunks(client: pg.PoolClient, target: SourceTarget, fresh: SourceChunk[], vectorOid: number): Promise<void> {
  // Bounded statements: a huge source must not become one multi-megabyte bind message.
  for (let start = 0; start < fresh.length; start += 500) {
    const rows = fresh.slice(start, start + 500);
    await client.query(INSERT_CHUNKS, [
      target.sourceKind,
      target.collection,
      ...placementColumns(rows),
      rows.map((r) => r.source.sourceId),
      rows.map((r) => r.source.title),
      rows.map((r) => r.chunk.headingPath.join(UNIT_SEPARATOR)),
      rows.map((r) => r.chunk.headingPath.slice(1).join(' > ')),
      rows.map((r) => r.chunk.content),
      rows.map((r) => r.chunk.contentHash),
      rows.map((r) => r.chunk.tokenCount),
      rows.map((r) => JSON.stringify(r.chunk.metadata)),
      rows.map((r) => r.source.patientId),
      encodeVectorArray(
        rows.map((r) => r.chunk.embedding),
        vectorOid,
      ),
    ]);
  }
}

// pgvector's type OID, per connection: extensions get theirs at creation, and pooled
// clients are reused.
const vectorOidByConnection = new WeakMap<pg.PoolClient, number>();

async function vectorOid(client: pg.PoolClient): Promise<number> {
  let oid = vectorOidByConnection.get(client);
  if (oid === undefined) {
    oid = (await client.query<{ oid: number }>(`SELECT 'vector'::regtype::oid::integer AS oid`)).rows[0]!.oid;
    vectorOidByConnection.set(client, oid);
  }
  return oid;
}

const HNSW_INDEX = 'llm_assistant.docs_chunks_embedding_hnsw';

// The index as migrated, to re-create it exactly; null when it does not exist.
const SELECT_HNSW_DEFINITION = `SELECT pg_get_indexdef(to_regclass('${HNSW_INDEX}')) AS definition`;

// Stops counting past the limit: only "fewer than N?" is asked.
const COUNT_CHUNKS_UP_TO = `SELECT count(*)::integer AS n FROM (SELECT 1 FROM llm_assistant.docs_chunks LIMIT $1) AS rows`;

// The graph must fit in memory for pgvector to build it there (~7.5 KB per 1536-dim
// row at m = 32): 1 GB holds ~130,000 rows; past that the build goes on, slower, on disk.
const BULK_MAINTENANCE_WORK_MEM = '1GB';
// A search that holds the table when a bulk load starts is waited for this long, then
// the run falls back to writing batch by batch.
const BULK_LOCK_TIMEOUT = '5s';
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * A bulk load: one transaction for the whole run, with the HNSW index dropped inside it
 * and built again once over all rows before the commit. Inserting row by row into a
 * live HNSW graph costs ~10 ms per 1536-dim row at m = 32, ef_construction = 200; a
 * build after the load is cheaper per row and runs in parallel workers
 * (docs/benchmarks.md). Until the commit nobody sees any of it, and the dropped index
 * locks the table: searches wait, so this is only for loads into an empty or small
 * index. A failure rolls everything back, index included.
 */
export interface BulkLoad {
  client: pg.PoolClient;
  /** Builds the HNSW index again, then commits. */
  commit(): Promise<void>;
  /** Rolls back (the index was never gone for anyone else). */
  abandon(): Promise<void>;
}

/** Chunks stored in the whole index, counted up to `limit`. */
export async function countStoredChunks(db: Queryable, limit: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(COUNT_CHUNKS_UP_TO, [limit]);
  return rows[0]!.n;
}

/**
 * Starts a bulk load, or returns null when it cannot: no HNSW index to defer, or the
 * table stayed busy with other sessions' queries past the lock timeout.
 */
export async function beginBulkLoad(pool: pg.Pool): Promise<BulkLoad | null> {
  const client = await pool.connect();
  let definition: string | null = null;
  try {
    await client.query('BEGIN');
    definition = (await client.query<{ definition: string | null }>(SELECT_HNSW_DEFINITION)).rows[0]!.definition;
    if (definition) {
      await client.query(`SET LOCAL lock_timeout = '${BULK_LOCK_TIMEOUT}'`);
      await client.query(`DROP INDEX ${HNSW_INDEX}`);
      await client.query('SET LOCAL lock_timeout = DEFAULT');
      // The writes of a whole run and the build are not request queries.
      await client.query('SET LOCAL statement_timeout = 0');
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
    if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return null;
    throw error;
  }
  if (!definition) {
    await client.query('ROLLBACK');
    client.release();
    return null;
  }
  const indexDefinition = definition;
  const end = endOnce(client);
  return {
    client,
    async commit() {
      try {
        await client.query(`SET LOCAL maintenance_work_mem = '${BULK_MAINTENANCE_WORK_MEM}'`);
        await client.query(indexDefinition);
        // Searches are planned from these statistics; autovacuum would take a while.
        await client.query('ANALYZE llm_assistant.docs_chunks, llm_assistant.sources');
      } catch (error) {
        await end('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await end('COMMIT');
    },
    abandon: () => end('ROLLBACK'),
  };
}

/**
 * A run written in one transaction with the HNSW index left in place: the BulkLoad
 * shape without the rebuild, for runs small enough to insert into the live graph.
 */
export async function beginAtomicRun(pool: pg.Pool): Promise<BulkLoad> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL statement_timeout = '${WRITE_STATEMENT_TIMEOUT}'`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
    throw error;
  }
  const end = endOnce(client);
  return { client, commit: () => end('COMMIT'), abandon: () => end('ROLLBACK') };
}

/**
 * A run written inside a transaction the caller holds (the records sync's bulk first
 * sync, over many runs): its commit and abandon do nothing, the caller ends it.
 */
export function joinTransaction(client: pg.PoolClient): BulkLoad {
  return { client, commit: () => Promise.resolve(), abandon: () => Promise.resolve() };
}

/** Deletes sources (their chunks go with them); returns the ids that existed. */
export async function deleteSources(db: Queryable, target: SourceTarget, sourceIds: string[]): Promise<string[]> {
  if (sourceIds.length === 0) return [];
  const { rows } = await db.query<{ source_id: string }>(DELETE_SOURCES, [target.sourceKind, target.collection, sourceIds]);
  return rows.map((row) => row.source_id);
}

// New rows enter the full-text GIN index through its pending list (fastupdate), which
// every lexical search reads in full until a vacuum merges it: up to 4 MB unsorted,
// 25-110 ms a question on 5,000 chunks against 0.4 ms once merged.
const MERGE_LEXICAL_PENDING_LIST = `SELECT gin_clean_pending_list('llm_assistant.docs_chunks_fts_gin'::regclass)`;

/** Merges the full-text index's pending entries into it, as a vacuum would; after a run that wrote chunks. */
export async function mergeLexicalPendingList(db: Queryable): Promise<void> {
  await db.query(MERGE_LEXICAL_PENDING_LIST);
}

/** Ends the transaction (COMMIT or ROLLBACK) and releases the connection, the first time only. */
function endOnce(client: pg.PoolClient): (statement: string) => Promise<void> {
  let open = true;
  return async (statement) => {
    if (!open) return;
    open = false;
    try {
      await client.query(statement);
    } finally {
      client.release();
    }
  };
}
