import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDocsFolder } from '../../src/ingest/docs-ingest.js';
import type { IndexerDependencies } from '../../src/ingest/source-indexer.js';
import { DOCTOR_A } from '../fixtures/chat-corpus.fixture.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { postChat, readJson } from '../support/chat.js';
import { databaseBackends } from '../support/services.js';

const QUESTION = 'How do I book an appointment for a patient?';

describe.each(databaseBackends())('chat end to end over the real retriever and the example docs on %s', (backend) => {
  let app: TestApp;
  let folder: string;
  let deps: IndexerDependencies;

  beforeAll(async () => {
    app = await startTestApp(backend);
    folder = await mkdtemp(path.join(tmpdir(), 'chat-docs-'));
    await cp('examples/docs', folder, { recursive: true });
    const { services } = app;
    deps = { pool: services.db.pool, embedder: services.embedder, chunking: services.config.chunking, logger: services.logger };
    await ingestDocsFolder(deps, { rootDir: folder, collection: 'example/docs' });
  });
  afterAll(async () => {
    await app.close();
    await rm(folder, { recursive: true, force: true });
  });

  const ask = async (message: string) => {
    const response = await postChat(app, DOCTOR_A, { message });
    expect(response.status).toBe(200);
    return readJson(response);
  };

  it('when a doctor asks about the documentation, then the answer cites the booking guide and the module is detected', async () => {
    const body = await ask(QUESTION);

    expect(body.cached).toBe(false);
    expect(body.citations.length).toBeGreaterThan(0);
    expect(body.citations.some((citation: { doc: string }) => citation.doc.startsWith('appointments/'))).toBe(true);
    expect(body.modules[0]).toBe('appointments');
    expect(body.usage.offline).toBe(true);
  });

  it('when the same question comes again, then it is served from the cache', async () => {
    expect((await ask(QUESTION)).cached).toBe('exact');
  });

  it('when a cited document changes and is re-indexed, then answers built from it are dropped in that transaction', async () => {
    const file = path.join(folder, 'appointments', 'book-appointment.md');
    await writeFile(file, `${await readFile(file, 'utf8')}\n\nBookings made by phone are confirmed by text message.\n`);

    await ingestDocsFolder(deps, { rootDir: folder, collection: 'example/docs' });

    const { rows } = await app.services.db.pool.query(
      `SELECT 1 FROM llm_assistant.query_cache WHERE cited_sources && ARRAY['doc:example/docs:appointments/book-appointment']`,
    );
    expect(rows).toHaveLength(0);
    expect((await ask(QUESTION)).cached).toBe(false);
  });
});
