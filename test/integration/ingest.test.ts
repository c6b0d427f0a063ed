import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConflictError } from '../../src/errors.js';
import { withTransaction } from '../../src/db/database.js';
import { ingestDocsFolder } from '../../src/ingest/docs-ingest.js';
import { writeSources, writeSourcesConcurrently, type PreparedChunk, type PreparedSource } from '../../src/ingest/index.repository.js';
import { ensureIndexState, IndexMismatchError } from '../../src/ingest/index-state.js';
import { IngestJobs } from '../../src/ingest/ingest-jobs.js';
import { ingestPatientRecords } from '../../src/ingest/records-ingest.js';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { BULK_LOAD_MIN_SOURCES, SourceIndexer, type IndexerDependencies } from '../../src/ingest/source-indexer.js';
import type { SourceDocument } from '../../src/ingest/types.js';
import type { EmbedOptions, Embedder, EmbeddingResult } from '../../src/llm/embeddings/embedder.js';
import { OfflineEmbedder } from '../../src/llm/embeddings/offline-embedder.js';
import { createLogger } from '../../src/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestDatabase, databaseBackends, type TestDatabase } from '../support/services.js';

const EXAMPLES = path.resolve('examples/docs');
const logger = createLogger('silent');

/** The real offline embedder, counting what it is asked to embed (and failing on demand). */
class CountingEmbedder implements Embedder {
  readonly inner = new OfflineEmbedder();
  readonly model = this.inner.model;
  readonly dimensions = this.inner.dimensions;
  readonly offline = true;
  calls = 0;
  texts: string[] = [];
  failWhen: ((text: string) => boolean) | undefined;

  async embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult> {
    if (this.failWhen && texts.some(this.failWhen)) throw new Error('embedding failed on purpose');
    this.calls += 1;
    this.texts.push(...texts);
    return this.inner.embedDocuments(texts, options);
  }

  embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    return this.inner.embedQuery(text, options);
  }

  reset(): void {
    this.calls = 0;
    this.texts = [];
    this.failWhen = undefined;
  }
}

describe.each(databaseBackends())('ingestion on %s', (backend) => {
  let testDb: TestDatabase;
  let services: Services;
  let deps: IndexerDependencies;
  let embedder: CountingEmbedder;
  let folder: string;

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    services = await createServices(loadConfig({ ...testDb.env, LOG_LEVEL: 'silent' }), logger);
    embedder = new CountingEmbedder();
    deps = {
      pool: services.db.pool,
      embedder,
      chunking: services.config.chunking,
      logger,
    };
  });
  afterAll(async () => {
    await services.close();
    await testDb.drop();
  });
  beforeEach(async () => {
    await services.db.pool.query('DELETE FROM llm_assistant.sources');
    await services.db.pool.query('DELETE FROM llm_assistant.query_cache');
    folder = await mkdtemp(path.join(tmpdir(), 'docs-'));
    await cp(EXAMPLES, folder, { recursive: true });
    embedder.reset();
  });

  const ingest = () => ingestDocsFolder(deps, { rootDir: folder, collection: 'test/docs' });
  /** A cached answer citing these sources; returns its key. */
  const cacheAnswerCiting = async (source: string) => {
    const key = `answer-citing-${source}`;
    await services.db.pool.query(
      `INSERT INTO llm_assistant.query_cache (cache_key, scope_key, question, question_embedding, answer, cited_sources, expires_at)
       VALUES ($1, 'scope', 'q', array_fill(0.5, ARRAY[1536])::vector, '{}', ARRAY[$2], now() + interval '1 hour')`,
      [key, `doc:test/docs:${source}`],
    );
    return key;
  };
  const cachedAnswerKeys = async () =>
    (await services.db.pool.query<{ cache_key: string }>('SELECT cache_key FROM llm_assistant.query_cache ORDER BY 1')).rows.map((row) => row.cache_key);
  const chunkRows = async () =>
    (
      await services.db.pool.query<{ id: string; source_id: string; chunk_index: number; created_at: Date }>(
        `SELECT id, source_id, chunk_index, created_at FROM llm_assistant.docs_chunks WHERE collection = 'test/docs' ORDER BY id`,
      )
    ).rows;

  it('when a corpus is indexed twice unchanged, then the second run makes zero embedding calls and zero writes', async () => {
    const first = await ingest();
    expect(first.documents.added).toBe(39);
    expect(first.chunks.added).toBeGreaterThan(150);
    expect(first.embeddingCalls).toBeGreaterThan(0);
    const before = await chunkRows();
    const sourcesBefore = (await services.db.pool.query(`SELECT source_id, indexed_at FROM llm_assistant.sources ORDER BY 1`)).rows;
    embedder.reset();

    const second = await ingest();

    expect(second.embeddingCalls).toBe(0);
    expect(embedder.calls).toBe(0);
    expect(second.documents).toEqual({ added: 0, updated: 0, unchanged: 39, deleted: 0 });
    expect(second.chunks).toEqual({ added: 0, updated: 0, unchanged: first.chunks.added, deleted: 0 });
    expect(await chunkRows()).toEqual(before);
    expect((await services.db.pool.query(`SELECT source_id, indexed_at FROM llm_assistant.sources ORDER BY 1`)).rows).toEqual(
      sourcesBefore,
    );
  });

  it('when one file is edited, then only its new chunks are embedded and only the answers citing it leave the cache', async () => {
    await ingest();
    embedder.reset();
    const edited = await cacheAnswerCiting('billing/tax-rates');
    const untouched = await cacheAnswerCiting('billing/refunds-and-credit-notes');
    const file = path.join(folder, 'billing/tax-rates.md');
    await writeFile(file, `${await readFile(file, 'utf8')}\n\n## Rounding\n\nTotals are rounded to the cent after tax.\n`);

    const summary = await ingest();

    expect(summary.documents).toMatchObject({ updated: 1, unchanged: 38, added: 0, deleted: 0 });
    expect(summary.chunks.added + summary.chunks.updated).toBeGreaterThanOrEqual(1);
    expect(embedder.texts.every((text) => text.startsWith('Tax rates'))).toBe(true);
    expect(embedder.texts.some((text) => text.includes('rounded to the cent'))).toBe(true);
    const remaining = await cachedAnswerKeys();
    expect(remaining).toContain(untouched);
    expect(remaining).not.toContain(edited);
  });

  it('when a run writes chunks, then the full-text index keeps no pending entries for searches to read', async () => {
    const pendingPages = async () =>
      (await services.db.pool.query<{ pages: string }>(`SELECT gin_clean_pending_list('llm_assistant.docs_chunks_fts_gin'::regclass) AS pages`))
        .rows[0]!.pages;

    await ingest();
    expect(Number(await pendingPages())).toBe(0);

    await writeFile(path.join(folder, 'billing/new-page.md'), '# Late fees\n\nInvoices paid after thirty days carry a late fee.\n');
    await ingest();
    expect(Number(await pendingPages())).toBe(0);
  });

  it('when a file is deleted, then its chunks and the answers citing it are gone', async () => {
    await ingest();
    const citing = await cacheAnswerCiting('settings/profile');
    await rm(path.join(folder, 'settings/profile.md'));

    const summary = await ingest();

    expect(summary.documents.deleted).toBe(1);
    expect(summary.chunks.deleted).toBeGreaterThan(0);
    expect((await chunkRows()).some((row) => row.source_id === 'settings/profile')).toBe(false);
    expect(await cachedAnswerKeys()).not.toContain(citing);
  });

  it('when a file is renamed, then its chunks move without a single embedding call', async () => {
    await ingest();
    embedder.reset();
    await rename(path.join(folder, 'settings/profile.md'), path.join(folder, 'settings/my-profile.md'));

    const summary = await ingest();

    expect(summary.documents).toMatchObject({ added: 1, deleted: 1 });
    expect(embedder.calls).toBe(0);
    const sources = new Set((await chunkRows()).map((row) => row.source_id));
    expect(sources.has('settings/my-profile')).toBe(true);
    expect(sources.has('settings/profile')).toBe(false);
  });

  it('when writing a source fails inside the transaction, then its previous version stays whole and searchable', async () => {
    await ingest();
    const before = (await chunkRows()).filter((row) => row.source_id === 'billing/tax-rates');
    // A real failure inside the write transaction, after some of its statements ran.
    await services.db.pool.query(`
      CREATE OR REPLACE FUNCTION llm_assistant.test_fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.content LIKE '%FAIL-HERE%' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
      DROP TRIGGER IF EXISTS test_fail_insert ON llm_assistant.docs_chunks;
      CREATE TRIGGER test_fail_insert BEFORE INSERT ON llm_assistant.docs_chunks
        FOR EACH ROW EXECUTE FUNCTION llm_assistant.test_fail_insert();`);
    try {
      const file = path.join(folder, 'billing/tax-rates.md');
      const original = await readFile(file, 'utf8');
      await writeFile(file, original.replace('## ', '## Changed section\n\nNew text FAIL-HERE.\n\n## '));

      await expect(ingest()).rejects.toThrow(/injected failure/);

      expect((await chunkRows()).filter((row) => row.source_id === 'billing/tax-rates')).toEqual(before);
      const hits = await services.retriever.search({ question: await services.retriever.embed('tax rates'), k: 5, scope: { doctorId: null } });
      expect(hits.some((hit) => hit.sourceId === 'billing/tax-rates')).toBe(true);
    } finally {
      await services.db.pool.query('DROP TRIGGER IF EXISTS test_fail_insert ON llm_assistant.docs_chunks');
    }
    // Re-running once the cause is gone completes.
    const rerun = await ingest();
    expect(rerun.documents.updated).toBe(1);
  });

  it('when embedding fails mid-run, then no source is half-written and a re-run completes', async () => {
    embedder.failWhen = (text) => text.startsWith('Tax rates');
    await expect(ingest()).rejects.toThrow(/embedding failed/);
    const { rows } = await services.db.pool.query<{ source_id: string; chunk_count: number; stored: number }>(
      `SELECT s.source_id, s.chunk_count, count(c.id)::int AS stored FROM llm_assistant.sources s
       LEFT JOIN llm_assistant.docs_chunks c USING (source_kind, collection, source_id) GROUP BY 1, 2`,
    );
    for (const row of rows) expect(row.stored, row.source_id).toBe(row.chunk_count);
    embedder.failWhen = undefined;
    const rerun = await ingest();
    expect(rerun.documents.added + rerun.documents.unchanged).toBe(39);
  });

  it('when files are empty or binary, then they are reported and skipped, and the rest is indexed', async () => {
    await writeFile(path.join(folder, 'billing/empty.md'), '---\ntitle: Empty\n---\n\n   \n');
    await writeFile(path.join(folder, 'billing/image.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));

    const summary = await ingest();

    expect(summary.documents.added).toBe(39);
    expect(summary.skipped.map((skip) => [skip.path, skip.reason]).sort()).toEqual([
      ['billing/empty.md', 'empty'],
      ['billing/image.md', 'binary'],
    ]);
  });

  it('when a corpus is indexed, then each module gets a summary, refreshed only when its documents change', async () => {
    await ingest();
    const summaries = (await services.db.pool.query<{ name: string; title: string; updated_at: Date }>(
      `SELECT name, title, updated_at FROM llm_assistant.module_summaries ORDER BY name`,
    )).rows;
    expect(summaries.map((row) => row.name)).toEqual([
      'appointments',
      'billing',
      'medical_records',
      'practice_management',
      'prescriptions',
      'settings',
    ]);
    expect(summaries.find((row) => row.name === 'billing')?.title).toBe('Billing');

    await rm(path.join(folder, 'billing/tax-rates.md'));
    const summary = await ingest();
    expect(summary.modules.updated).toEqual(['billing']);
  });

  it('when patients are pushed, then their chunks carry the patient and the allowed doctors, and a re-push touches only what changed', async () => {
    const [first, second] = [...generatePatients({ patients: 2, doctors: 3, seed: 7 })];
    const pushed = await ingestPatientRecords(deps, [first!, second!]);
    expect(pushed.documents.added).toBeGreaterThanOrEqual(10);
    const { rows } = await services.db.pool.query<{ patient_id: string; allowed_doctor_ids: string[] }>(
      `SELECT DISTINCT patient_id, allowed_doctor_ids FROM llm_assistant.docs_chunks WHERE source_kind = 'record'`,
    );
    expect(new Set(rows.map((row) => row.patient_id))).toEqual(new Set([first!.patient.id, second!.patient.id]));
    for (const row of rows) expect(row.allowed_doctor_ids.length).toBeGreaterThan(0);

    const edited = structuredClone(first!);
    const appointment = edited.appointments.find((item) => item.medicalRecord);
    appointment!.medicalRecord!.examNotes = 'Edited exam notes: lungs clear.';
    embedder.reset();
    const repushed = await ingestPatientRecords(deps, [edited]);
    expect(repushed.documents.updated).toBe(1);
    expect(repushed.documents.deleted).toBe(0);
    expect(embedder.texts.every((text) => text.includes(edited.patient.lastName))).toBe(true);
    // The other patient is untouched by a push that does not name them.
    const other = await services.db.pool.query(`SELECT 1 FROM llm_assistant.sources WHERE patient_id = $1`, [second!.patient.id]);
    expect(other.rowCount).toBeGreaterThan(0);
  });

  it('when a new chunk is already stored (two pushes of one source at once), then the write skips it instead of failing', async () => {
    const target = { sourceKind: 'doc' as const, collection: 'test/race' };
    const source = (content: string): PreparedSource => ({
      sourceId: 'race', uri: 'race.md', module: 'billing', title: 'Race', url: null, sourceHash: content,
      patientId: null, allowedDoctorIds: [], metadata: {},
      chunks: [{ id: `race-${content}`, chunkIndex: 0, headingPath: ['Race'], content, embeddingText: content,
        contentHash: content, tokenCount: 1, metadata: {}, kept: false, embedding: new Float32Array(1536).fill(0.5) }],
    });
    await withTransaction(services.db.pool, (client) => writeSources(client, target, [source('one')]));
    // Both writers saw no stored chunk; the second finds the first's row at write time.
    await withTransaction(services.db.pool, (client) => writeSources(client, target, [source('one')]));

    const { rows } = await services.db.pool.query(`SELECT id, content FROM llm_assistant.docs_chunks WHERE collection = 'test/race'`);
    expect(rows).toEqual([{ id: 'race-one', content: 'one' }]);
  });

  describe('a batch written over two connections (writeSourcesConcurrently)', () => {
    const target = { sourceKind: 'doc' as const, collection: 'test/concurrent' };
    const chunk = (sourceId: string, content: string, embedding: Float32Array | null): PreparedChunk => ({
      id: `${sourceId}:${content}`, chunkIndex: 0, headingPath: [sourceId], content, embeddingText: content,
      contentHash: content, tokenCount: 1, metadata: {}, kept: false, embedding,
    });
    const source = (sourceId: string, version: string, chunks: PreparedChunk[]): PreparedSource => ({
      sourceId, uri: `${sourceId}.md`, module: 'billing', title: sourceId, url: null, sourceHash: version,
      patientId: null, allowedDoctorIds: [], metadata: {}, chunks: chunks.map((c, chunkIndex) => ({ ...c, chunkIndex })),
    });
    /** Version `version` of source n: three chunks of its own; the last one's vector has `lastDimensions`. */
    const sourceVersion = (n: number, version: string, lastDimensions = 1536) =>
      source(`s${n}`, version, [0, 1, 2].map((k) => chunk(`s${n}`, `${version} text ${k}`, new Float32Array(k === 2 ? lastDimensions : 1536).fill(0.1))));
    /** Each source with its version, chunk ids, and the transactions that wrote its row and its chunks. */
    const stored = async () =>
      (
        await services.db.pool.query<{ source_id: string; version: string; ids: string[]; source_xmin: string; chunk_xmins: string[] }>(
          `SELECT s.source_id, s.content_hash AS version, array_agg(c.id ORDER BY c.chunk_index) AS ids,
                  s.xmin::text AS source_xmin, array_agg(DISTINCT c.xmin::text) AS chunk_xmins
           FROM llm_assistant.sources s JOIN llm_assistant.docs_chunks c USING (source_kind, collection, source_id)
           WHERE s.collection = $1 GROUP BY s.source_id, s.content_hash, s.xmin::text ORDER BY s.source_id`,
          [target.collection],
        )
      ).rows;
    const idsOf = (n: number, version: string) => sourceVersion(n, version).chunks.map((c) => c.id);

    it('when a batch is written, then each source and its chunks come from one transaction, and the batch from two on PostgreSQL', async () => {
      await writeSourcesConcurrently(services.db.pool, target, [0, 1, 2, 3, 4, 5].map((n) => sourceVersion(n, 'v1')));

      const rows = await stored();
      expect(rows.map((row) => row.ids)).toEqual([0, 1, 2, 3, 4, 5].map((n) => idsOf(n, 'v1')));
      for (const row of rows) expect(row.chunk_xmins).toHaveLength(1);
      expect(new Set(rows.map((row) => row.source_xmin)).size).toBe(backend === 'postgres' ? 2 : 1);
      expect(new Set(rows.flatMap((row) => row.chunk_xmins)).size).toBe(backend === 'postgres' ? 2 : 1);
    });

    it('when one of its transactions fails, then every source is whole, at its old version or its new one', async () => {
      await writeSourcesConcurrently(services.db.pool, target, [0, 1, 2, 3, 4, 5].map((n) => sourceVersion(n, 'v1')));
      // s5's last new chunk has a vector of the wrong size: its transaction fails in the middle of its insert.
      const next = [0, 1, 2, 3, 4, 5].map((n) => sourceVersion(n, 'v2', n === 5 ? 1535 : 1536));

      await expect(writeSourcesConcurrently(services.db.pool, target, next)).rejects.toThrow(/dimensions/);

      const rows = await stored();
      expect(rows).toHaveLength(6);
      rows.forEach((row, n) => expect(row.ids).toEqual(idsOf(n, row.version)));
      expect(rows[5]!.version).toBe('v1');
      // On PostgreSQL the other connection's sources committed: the batch was split, never a source.
      expect(rows.filter((row) => row.version === 'v2').length).toBe(backend === 'postgres' ? 3 : 0);
    });

    it('when a chunk reuses the embedding of another source\'s stale chunk, then the batch is one transaction and the copy precedes the delete', async () => {
      const moving = new Float32Array(1536).fill(0.3);
      await writeSourcesConcurrently(services.db.pool, target, [
        source('a', 'v1', [chunk('a', 'moving text', moving)]),
        source('b', 'v1', [chunk('b', 'b text', new Float32Array(1536).fill(0.1))]),
      ]);
      // The text moves from a to b; b's new chunk takes the stored embedding (null: reuse).
      await writeSourcesConcurrently(services.db.pool, target, [
        source('a', 'v2', [chunk('a', 'a text', new Float32Array(1536).fill(0.1))]),
        source('b', 'v2', [chunk('b', 'moving text', null)]),
      ]);

      const rows = await stored();
      expect(rows.map((row) => row.ids)).toEqual([['a:a text'], ['b:moving text']]);
      expect(new Set(rows.map((row) => row.source_xmin)).size).toBe(1);
      const copied = await services.db.pool.query<{ same: boolean }>(
        `SELECT embedding = $1::vector AS same FROM llm_assistant.docs_chunks WHERE id = 'b:moving text'`,
        [`[${[...moving].join(',')}]`],
      );
      expect(copied.rows).toEqual([{ same: true }]);
    });
  });

  describe('a large first load (bulk: one transaction, HNSW index built once before the commit)', () => {
    const target = { sourceKind: 'doc' as const, collection: 'test/bulk' };
    const document = (n: number): SourceDocument => ({
      sourceKind: 'doc', sourceId: `bulk/${n}`, uri: `bulk/${n}.md`, module: 'billing', title: `Bulk ${n}`, url: null,
      body: `## Section ${n}\n\nInvoice number ${n} is paid by card or by bank transfer.`, contentHash: `bulk-${n}`,
      metadata: {}, patientId: null, allowedDoctorIds: [],
    });
    const hnswDefinition = async () =>
      (await services.db.pool.query<{ d: string | null }>(`SELECT pg_get_indexdef(to_regclass('llm_assistant.docs_chunks_embedding_hnsw')) AS d`)).rows[0]!.d;
    const bulkIndexer = () => new SourceIndexer(deps, target, { expectedSources: BULK_LOAD_MIN_SOURCES, batchSources: 2 });

    it('when it commits, then every source is there and the HNSW index exists again, as migrated', async () => {
      const migrated = await hnswDefinition();
      const indexer = bulkIndexer();
      for (let n = 0; n < 5; n++) await indexer.add(document(n));
      if (backend === 'postgres') {
        // Written but not committed: another session sees none of it (PGlite is one session).
        const other = new pg.Client({ connectionString: testDb.url });
        await other.connect();
        try {
          const seen = await other.query(`SELECT count(*)::int AS n FROM llm_assistant.sources WHERE collection = 'test/bulk'`);
          expect(seen.rows[0]).toEqual({ n: 0 });
        } finally {
          await other.end();
        }
      }
      const summary = await indexer.finish();

      expect(summary.documents.added).toBe(5);
      expect(await hnswDefinition()).toBe(migrated);
      const hits = await services.retriever.search({ question: await services.retriever.embed('invoice paid by bank transfer'), k: 3, scope: { doctorId: null } });
      expect(hits.some((hit) => hit.sourceId.startsWith('bulk/'))).toBe(true);
    });

    it('when it fails midway, then nothing of it stays and the HNSW index is intact', async () => {
      const migrated = await hnswDefinition();
      embedder.failWhen = (text) => text.includes('Bulk 3');
      const indexer = bulkIndexer();
      await expect(
        (async () => {
          for (let n = 0; n < 5; n++) await indexer.add(document(n));
          await indexer.finish();
        })(),
      ).rejects.toThrow(/embedding failed/);
      await indexer.abandon();

      const { rows } = await services.db.pool.query(`SELECT count(*)::int AS n FROM llm_assistant.docs_chunks WHERE collection = 'test/bulk'`);
      expect(rows[0]).toEqual({ n: 0 });
      expect(await hnswDefinition()).toBe(migrated);
    });
  });

  it('when the index was built with another embedding model, then start-up is refused with a re-index message', async () => {
    await ingest();
    const other = { ...new OfflineEmbedder(), model: 'another-model', dimensions: 1536, offline: true } as unknown as Embedder;
    await expect(ensureIndexState(services.db.pool, other)).rejects.toThrow(IndexMismatchError);
    await expect(ensureIndexState(services.db.pool, other)).rejects.toThrow(/--rebuild/);
  });

  it('when two jobs claim the same source, then the second is refused; a crashed job shows as failed and can be re-run', async () => {
    const jobs = new IngestJobs(services.db.pool, logger, undefined, { staleAfterMs: 1_000 });
    const job = await jobs.start('docs', 'docs:lock-test', 'test');
    await expect(jobs.start('docs', 'docs:lock-test', 'test')).rejects.toBeInstanceOf(ConflictError);

    // A process killed mid-job stops beating; after the stale window the job reads as failed.
    await services.db.pool.query(`UPDATE llm_assistant.ingest_jobs SET heartbeat_at = now() - interval '1 minute' WHERE id = $1`, [job.id]);
    const crashed = await jobs.get(job.id);
    expect(crashed.state).toBe('failed');
    expect(crashed.error).toMatch(/interrupted/);

    const rerun = await jobs.start('docs', 'docs:lock-test', 'test');
    const finished = await jobs.run(rerun, () => Promise.resolve({ ok: true }));
    expect(finished.state).toBe('succeeded');
  });
});
