import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ingestDocsFolder } from '../../src/ingest/docs-ingest.js';
import type { IndexerDependencies } from '../../src/ingest/source-indexer.js';
import type { EmbedOptions, Embedder, EmbeddingResult } from '../../src/llm/embeddings/embedder.js';
import { OfflineEmbedder } from '../../src/llm/embeddings/offline-embedder.js';
import { createLogger } from '../../src/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestDatabase, realDatabaseUrl, type TestDatabase } from '../support/services.js';

const MEDQUAD = path.resolve('../shared/datasets/medquad');
const MEDQUAD_DOCS = path.join(MEDQUAD, 'docs');
const present = existsSync(MEDQUAD);
if (!present && process.env.CI === 'true') {
  throw new Error(`CI=true but ${MEDQUAD} is absent: the full-corpus ingest cannot be skipped in CI`);
}

/** The offline embedder, counting its calls: the unchanged re-run must make none. */
class CountingEmbedder implements Embedder {
  private readonly inner = new OfflineEmbedder();
  readonly model = this.inner.model;
  readonly dimensions = this.inner.dimensions;
  readonly offline = true;
  calls = 0;

  embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult> {
    this.calls += 1;
    return this.inner.embedDocuments(texts, options);
  }

  embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    return this.inner.embedQuery(text, options);
  }
}

// Real PostgreSQL only: PGlite inserts into its HNSW graph at WASM speed, and the whole
// corpus would take several times this file's budget there (docs/benchmarks.md).
describe.skipIf(!present || !realDatabaseUrl())('MedQuAD, the whole docs folder, on postgres', () => {
  let testDb: TestDatabase;
  let services: Services;
  let deps: IndexerDependencies;
  let embedder: CountingEmbedder;
  const logger = createLogger('silent');

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    services = await createServices(loadConfig({ ...testDb.env, LOG_LEVEL: 'silent' }), logger);
    embedder = new CountingEmbedder();
    deps = { pool: services.db.pool, embedder, chunking: services.config.chunking, logger };
  });
  afterAll(async () => {
    await services?.close();
    await testDb?.drop();
  });

  const ingest = () => ingestDocsFolder(deps, { rootDir: MEDQUAD_DOCS, collection: 'medquad/docs' });

  it('when the folder is ingested, then every document is indexed; when it is ingested again, then no embedding call is made', async () => {
    const files = (await readdir(MEDQUAD_DOCS, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).length;

    const first = await ingest();

    console.info(
      `MedQuAD first ingest: ${first.documents.added} documents, ${first.chunks.added} chunks, ` +
        `${first.embeddingCalls} embedding calls, ${(first.ms / 1000).toFixed(1)} s`,
    );
    expect(first.documents.added + first.skipped.length).toBe(files);
    expect(first.chunks.added).toBeGreaterThan(20_000);
    const { rows } = await services.db.pool.query<{ chunks: number; hnsw: boolean }>(
      `SELECT (SELECT count(*)::int FROM llm_assistant.docs_chunks) AS chunks,
              to_regclass('llm_assistant.docs_chunks_embedding_hnsw') IS NOT NULL AS hnsw`,
    );
    expect(rows[0]).toEqual({ chunks: first.chunks.added, hnsw: true });

    embedder.calls = 0;
    const second = await ingest();

    console.info(`MedQuAD unchanged re-run: ${second.embeddingCalls} embedding calls, ${(second.ms / 1000).toFixed(1)} s`);
    expect(embedder.calls).toBe(0);
    expect(second.embeddingCalls).toBe(0);
    expect(second.documents).toEqual({ added: 0, updated: 0, unchanged: first.documents.added, deleted: 0 });
  }, 600_000);
});
