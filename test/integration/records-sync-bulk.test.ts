import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientRecord } from '../../src/ingest/records/record.schemas.js';
import { generatePatients, syntheticDoctorIds } from '../../src/ingest/records/synthetic-records.js';
import { createPlatformFixtureSchema, writePlatformPatients } from '../../src/ingest/records-sync/platform-fixture.js';
import { runRecordsSync, type RecordsSyncOptions, type RecordsSyncReport } from '../../src/ingest/records-sync/records-sync.js';
import type { IndexerDependencies } from '../../src/ingest/source-indexer.js';
import type { Embedder } from '../../src/llm/embeddings/embedder.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { readJson, type Json } from '../support/http.js';
import { databaseBackends } from '../support/services.js';

const SEED = 2020;
const PATIENTS = 12;
/** The bulk rule lowered to this test's population (by default 1,000 patients). */
const OPTIONS: RecordsSyncOptions = { overlapSeconds: 30, batchPatients: 4, bulkFirstSync: { minPatients: 10, maxStoredChunks: 5_000 } };

/**
 * The records sync's bulk first sync: one transaction for the whole first run, the HNSW
 * index built once before the commit, the sync's digests and watermark in the same
 * transaction. On the embedded database (one session) the first sync stays batch by batch.
 */
describe.each(databaseBackends())('records sync first sync on %s', (backend) => {
  const bulkExpected = backend === 'postgres';
  let app: TestApp;
  let pool: pg.Pool;
  let indexer: IndexerDependencies;
  const doctors = syntheticDoctorIds(SEED, 3) as [string, string, string];
  // One doctor per patient, so that who sees whom is known exactly.
  const patients: PatientRecord[] = [...generatePatients({ patients: PATIENTS, doctors: 3, seed: SEED, visits: 2 })].map((record, index) => {
    const doctor = doctors[index % 3]!;
    return { ...record, doctorIds: [doctor], appointments: record.appointments.map((a) => ({ ...a, doctorId: doctor })) };
  });

  beforeAll(async () => {
    app = await startTestApp(backend);
    pool = app.services.db.pool;
    const { embedder, config, logger } = app.services;
    indexer = { pool, embedder, chunking: config.chunking, logger };
    await createPlatformFixtureSchema(pool);
    await writePlatformPatients(pool, patients);
  });
  afterAll(() => app.close());

  const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0]!.n;
  const syncState = async () => ({
    sources: await count(`SELECT count(*)::int AS n FROM llm_assistant.sources WHERE source_kind = 'record'`),
    chunks: await count(`SELECT count(*)::int AS n FROM llm_assistant.docs_chunks WHERE source_kind = 'record'`),
    digests: await count(`SELECT count(*)::int AS n FROM llm_assistant.records_sync_patients`),
    watermarks: await count(`SELECT count(*)::int AS n FROM llm_assistant.records_sync_state WHERE watermark IS NOT NULL`),
  });
  async function patientsFound(doctorId: string, query: string): Promise<Set<string>> {
    const response = await fetch(`${app.baseUrl}/v1/search`, {
      method: 'POST',
      headers: { ...app.authHeaders(doctorId), 'content-type': 'application/json' },
      body: JSON.stringify({ query, k: 50, filters: { sourceKinds: ['record'] } }),
    });
    expect(response.status).toBe(200);
    return new Set(((await readJson(response)).results as Json[]).map((hit) => hit.patientId as string));
  }
  const succeeded = (report: RecordsSyncReport) => expect(report.outcome, report.error).toBe('succeeded');

  it.runIf(bulkExpected)('when a bulk first sync is aborted half-way, then it leaves no chunks, no digests and no watermark', async () => {
    const stop = new AbortController();
    let calls = 0;
    // The abort lands after two batches' embeddings: a batch by batch run would have committed them.
    const aborting: Embedder = Object.create(indexer.embedder, {
      embedDocuments: {
        value: (texts: string[], options?: { signal?: AbortSignal }) => {
          calls += 1;
          if (calls === 3) stop.abort(new Error('stopped half-way'));
          return indexer.embedder.embedDocuments(texts, options);
        },
      },
    }) as Embedder;
    const report = await runRecordsSync({ indexer: { ...indexer, embedder: aborting }, platform: pool }, { ...OPTIONS, signal: stop.signal });
    expect(report).toMatchObject({ outcome: 'failed', bulk: true, patientsIndexed: 0 });
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(await syncState()).toEqual({ sources: 0, chunks: 0, digests: 0, watermarks: 0 });
    // The index dropped inside the rolled-back transaction is there again.
    expect(await count(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'docs_chunks_embedding_hnsw'`)).toBe(1);
  });

  it('when nothing was ever synced, then the first sync indexes every patient, in one bulk load on PostgreSQL', async () => {
    const report = await runRecordsSync({ indexer, platform: pool }, OPTIONS);
    succeeded(report);
    expect(report.bulk).toBe(bulkExpected);
    expect(report.patientsIndexed).toBe(PATIENTS);
    const state = await syncState();
    expect(state).toMatchObject({ digests: PATIENTS, watermarks: 1 });
    expect(state.chunks).toBeGreaterThanOrEqual(state.sources);
    expect(await count(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'docs_chunks_embedding_hnsw'`)).toBe(1);
  });

  it('when each doctor searches after the first sync, then they find their own patients and nobody else\'s', async () => {
    for (const [index, doctor] of doctors.entries()) {
      const own = new Set(patients.filter((_, i) => i % 3 === index).map((record) => record.patient.id));
      const found = await patientsFound(doctor, 'allergies appointment visit reason');
      expect(found.size).toBeGreaterThan(0);
      for (const patientId of found) expect(own).toContain(patientId);
      const named = patients.find((_, i) => i % 3 === index)!;
      expect(await patientsFound(doctor, `${named.patient.firstName} ${named.patient.lastName} allergies`)).toContain(named.patient.id);
    }
  });

  it('when a patient changes after the first sync, then the next run is incremental, batch by batch', async () => {
    const changed = patients[0]!;
    await pool.query(`UPDATE medical_records.patients SET last_name = 'Quetzalcoatl' WHERE id = $1`, [changed.patient.id]);
    const report = await runRecordsSync({ indexer, platform: pool }, OPTIONS);
    succeeded(report);
    expect(report.bulk).toBe(false);
    // Patients inside the overlap window are read again, but only the changed one's parts are written.
    expect(report.documents.added + report.documents.deleted).toBe(0);
    expect(report.documents.updated).toBeGreaterThan(0);
    expect(report.documents.updated).toBeLessThan(report.documents.unchanged);
    expect(await patientsFound(doctors[0], 'Quetzalcoatl')).toContain(changed.patient.id);
    const idle = await runRecordsSync({ indexer, platform: pool }, OPTIONS);
    succeeded(idle);
    expect(idle).toMatchObject({ bulk: false, embeddingCalls: 0, documents: { added: 0, updated: 0, deleted: 0 } });
  });
});
