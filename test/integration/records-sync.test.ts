import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientRecord } from '../../src/ingest/records/record.schemas.js';
import { generatePatients, syntheticDoctorIds } from '../../src/ingest/records/synthetic-records.js';
import { createPlatformFixtureSchema, derivedUuid, insertPlatformRows, writePlatformPatients } from '../../src/ingest/records-sync/platform-fixture.js';
import { runRecordsSync } from '../../src/ingest/records-sync/records-sync.js';
import type { IndexerDependencies } from '../../src/ingest/source-indexer.js';
import type { Embedder } from '../../src/llm/embeddings/embedder.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { readJson, type Json } from '../support/http.js';
import { databaseBackends } from '../support/services.js';

const SEED = 20;

/**
 * The records sync against the platform's own tables (the test fixture of
 * medical_records): rows created, changed, deleted and re-shared, then a sync, then a
 * search as each doctor; a transaction that commits late; a run that fails half-way.
 */
describe.each(databaseBackends())('records sync on %s', (backend) => {
  let app: TestApp;
  let pool: pg.Pool;
  const [doctorA, doctorB, doctorC] = syntheticDoctorIds(SEED, 3) as [string, string, string];
  // Each patient gets one doctor, so that who sees whom is known exactly.
  const patients: PatientRecord[] = [...generatePatients({ patients: 6, doctors: 3, seed: SEED })].map((record, index) => {
    const doctor = [doctorA, doctorB, doctorC][index % 3]!;
    return { ...record, doctorIds: [doctor], appointments: record.appointments.map((a) => ({ ...a, doctorId: doctor })) };
  });
  const [ofA, ofB] = patients as [PatientRecord, PatientRecord];

  beforeAll(async () => {
    app = await startTestApp(backend, { RECORDS_SYNC_OVERLAP_SECONDS: '30', RECORDS_SYNC_BATCH_PATIENTS: '4' });
    pool = app.services.db.pool;
    await createPlatformFixtureSchema(pool);
    await writePlatformPatients(pool, patients);
  });
  afterAll(() => app.close());

  const sync = async () => {
    const report = await app.services.recordsSync.runOnce();
    expect(report.outcome, report.error).toBe('succeeded');
    return report;
  };
  async function search(doctorId: string, query: string): Promise<Json[]> {
    const response = await fetch(`${app.baseUrl}/v1/search`, {
      method: 'POST',
      headers: { ...app.authHeaders(doctorId), 'content-type': 'application/json' },
      body: JSON.stringify({ query, k: 20, filters: { sourceKinds: ['record'] } }),
    });
    expect(response.status).toBe(200);
    return (await readJson(response)).results as Json[];
  }
  const patientsFound = async (doctorId: string, query: string) => new Set((await search(doctorId, query)).map((hit) => hit.patientId as string));
  /** Patients whose hits carry `name` in their title (every part's title names its patient). */
  const patientsNamed = async (doctorId: string, name: string) =>
    new Set((await search(doctorId, name)).filter((hit) => String(hit.title).includes(name)).map((hit) => hit.patientId as string));
  const fullName = (record: PatientRecord) => `${record.patient.firstName} ${record.patient.lastName}`;
  async function sourceIds(patientId: string): Promise<string[]> {
    const { rows } = await pool.query<{ source_id: string }>(
      `SELECT source_id FROM llm_assistant.sources WHERE patient_id = $1 ORDER BY source_id`,
      [patientId],
    );
    return rows.map((row) => row.source_id);
  }

  it('when the platform has patients, then the first sync indexes each for their own doctor only', async () => {
    const report = await sync();
    expect(report.patientsIndexed).toBe(6);
    expect(report.problemCount).toBe(0);
    expect(await patientsFound(doctorA, `${fullName(ofA)} allergies`)).toContain(ofA.patient.id);
    expect(await patientsFound(doctorB, `${fullName(ofA)} allergies`)).not.toContain(ofA.patient.id);
    expect(await sourceIds(ofA.patient.id)).toContain(`patient/${ofA.patient.id}/appointment/${ofA.appointments[0]!.id}`);
  });

  it('when nothing changed, then a run embeds nothing and writes nothing', async () => {
    const report = await sync();
    expect(report.embeddingCalls).toBe(0);
    expect(report.documents.added + report.documents.updated + report.documents.deleted).toBe(0);
  });

  it('when a row is changed, then its new text is searchable after the next run', async () => {
    await pool.query(`UPDATE medical_records.patients SET last_name = 'Quetzalcoatl' WHERE id = $1`, [ofA.patient.id]);
    const report = await sync();
    expect(report.patientsChanged).toBeGreaterThanOrEqual(1);
    expect(await patientsNamed(doctorA, 'Quetzalcoatl')).toEqual(new Set([ofA.patient.id]));
  });

  it('when an appointment is deleted, then its part leaves the index and the rest stays', async () => {
    const patient = patients.find((record) => record.appointments.length > 1)!;
    const appointment = patient.appointments[0]!;
    await pool.query(`DELETE FROM medical_records.appointments WHERE id = $1`, [appointment.id]);
    await sync();
    const remaining = await sourceIds(patient.patient.id);
    expect(remaining).not.toContain(`patient/${patient.patient.id}/appointment/${appointment.id}`);
    expect(remaining).toContain(`patient/${patient.patient.id}/appointment/${patient.appointments[1]!.id}`);
  });

  it('when the last appointment of an unshared patient is deleted, then nobody sees the patient any more', async () => {
    const patient = patients[2]!;
    await pool.query(`DELETE FROM medical_records.appointments WHERE patient_id = $1`, [patient.patient.id]);
    const report = await sync();
    expect(report.patientsWithDeletions + report.patientsChanged).toBeGreaterThanOrEqual(1);
    expect(await sourceIds(patient.patient.id)).toEqual([]);
  });

  it('when a patient is shared and then unshared, then the doctor gains access and loses it with the cached answers', async () => {
    const share = { id: derivedUuid('share', ofB.patient.id, doctorC), parentId: ofB.patient.id, doctorId: doctorC };
    await insertPlatformRows(pool, 'shares', [share]);
    await sync();
    expect(await patientsFound(doctorC, `${fullName(ofB)} allergies`)).toContain(ofB.patient.id);

    const chat = await fetch(`${app.baseUrl}/v1/chat`, {
      method: 'POST',
      headers: { ...app.authHeaders(doctorC), 'content-type': 'application/json' },
      body: JSON.stringify({ message: `What is ${fullName(ofB)} allergic to?`, patientId: ofB.patient.id }),
    });
    expect(chat.status).toBe(200);
    const cachedOnB = async () =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM llm_assistant.query_cache c
           WHERE EXISTS (SELECT FROM unnest(c.cited_sources) s WHERE s LIKE $1)`,
          [`record:records:patient/${ofB.patient.id}/%`],
        )
      ).rows[0]!.n;
    expect(await cachedOnB()).toBeGreaterThan(0);

    await pool.query(`DELETE FROM medical_records.patient_shares WHERE id = $1`, [share.id]);
    await sync();
    expect(await patientsFound(doctorC, `${fullName(ofB)} allergies`)).not.toContain(ofB.patient.id);
    expect(await patientsFound(doctorB, `${fullName(ofB)} allergies`)).toContain(ofB.patient.id);
    expect(await cachedOnB()).toBe(0);
  });

  it('when an appointment moves to another provider, then the previous one loses the patient', async () => {
    const target = patients[3]!; // doctor A's second patient
    await pool.query(`UPDATE medical_records.appointments SET provider_id = $2 WHERE patient_id = $1`, [target.patient.id, doctorB]);
    await sync();
    expect(await patientsFound(doctorA, `${fullName(target)} allergies`)).not.toContain(target.patient.id);
    expect(await patientsFound(doctorB, `${fullName(target)} allergies`)).toContain(target.patient.id);
  });

  it('when a patient is deleted, then all their parts leave the index', async () => {
    const gone = patients[5]!;
    await pool.query(`DELETE FROM medical_records.patients WHERE id = $1`, [gone.patient.id]);
    const report = await sync();
    expect(report.patientsRemoved).toBeGreaterThanOrEqual(1);
    expect(await sourceIds(gone.patient.id)).toEqual([]);
  });

  it('when a row is broken, then it is reported with its table and id and the rest of the patient is indexed', async () => {
    const broken = derivedUuid('broken-allergy', ofB.patient.id);
    await insertPlatformRows(pool, 'allergies', [
      { id: broken, parentId: ofB.patient.id, allergen: 'Latex', reaction: 'Hives', severity: 'catastrophic' },
    ]);
    await pool.query(`UPDATE medical_records.patients SET last_name = 'Xochipilli' WHERE id = $1`, [ofB.patient.id]);
    const report = await sync();
    expect(report.problems).toContainEqual(expect.objectContaining({ table: 'allergies', id: broken }));
    expect(await patientsNamed(doctorB, 'Xochipilli')).toEqual(new Set([ofB.patient.id]));
    await pool.query(`DELETE FROM medical_records.allergies WHERE id = $1`, [broken]);
  });

  it('when a transaction stamps its rows early and commits after a run, then the overlap window still picks it up', async () => {
    const late = await pool.connect();
    try {
      await late.query('BEGIN');
      await late.query(`UPDATE medical_records.patients SET last_name = 'Tezcatlipoca' WHERE id = $1`, [ofA.patient.id]);
      if (backend === 'postgres') {
        // Another patient changes and is synced while the first transaction is still open.
        await pool.query(`UPDATE medical_records.patients SET last_name = 'Huitzilopochtli' WHERE id = $1`, [ofB.patient.id]);
        await sync();
        expect(await patientsNamed(doctorB, 'Huitzilopochtli')).toEqual(new Set([ofB.patient.id]));
      }
      await late.query('COMMIT');
    } finally {
      late.release();
    }
    await sync();
    expect(await patientsNamed(doctorA, 'Tezcatlipoca')).toEqual(new Set([ofA.patient.id]));
  });

  it('when a run fails half-way, then the next one finishes it with nothing lost and nothing twice', async () => {
    const more = [...generatePatients({ patients: 12, doctors: 3, seed: SEED + 1 })];
    await writePlatformPatients(pool, more);
    const services = app.services;
    let calls = 0;
    const failing: Embedder = Object.create(services.embedder, {
      embedDocuments: {
        value: (texts: string[]) => {
          calls += 1;
          if (calls > 2) return Promise.reject(new Error('embedding service down'));
          return services.embedder.embedDocuments(texts);
        },
      },
    }) as Embedder;
    const indexer: IndexerDependencies = { pool, embedder: failing, chunking: services.config.chunking, logger: services.logger };
    const failed = await runRecordsSync({ indexer, platform: pool }, { overlapSeconds: 30, batchPatients: 4 });
    expect(failed.outcome).toBe('failed');
    expect(failed.error).toContain('embedding service down');
    const indexedAfterFailure = await countIndexed(more);
    expect(indexedAfterFailure).toBeGreaterThan(0);
    expect(indexedAfterFailure).toBeLessThan(more.length);

    await sync();
    expect(await countIndexed(more)).toBe(more.length);
    // Every stored source holds exactly the chunks it says it has: nothing written twice.
    const { rows } = await pool.query<{ bad: number }>(`
      SELECT count(*)::int AS bad FROM llm_assistant.sources s
      WHERE s.source_kind = 'record' AND s.chunk_count <> (
        SELECT count(*) FROM llm_assistant.docs_chunks c
        WHERE c.source_kind = s.source_kind AND c.collection = s.collection AND c.source_id = s.source_id)`);
    expect(rows[0]!.bad).toBe(0);
  });

  async function countIndexed(records: PatientRecord[]): Promise<number> {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(DISTINCT patient_id)::int AS n FROM llm_assistant.sources WHERE patient_id = ANY ($1::uuid[])`,
      [records.map((record) => record.patient.id)],
    );
    return rows[0]!.n;
  }

  it('when the sync has run, then /readyz shows its last run', async () => {
    const response = await fetch(`${app.baseUrl}/readyz`);
    const body = await readJson(response);
    // RECORDS_SYNC is off in this app: the check says so, runs by hand are still shown.
    expect(body.checks.recordsSync).toMatchObject({ status: 'disabled', lastRun: { outcome: 'succeeded', problemCount: 0 } });
  });
});

describe('records sync with RECORDS_SYNC=on', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite', { RECORDS_SYNC: 'on', RECORDS_SYNC_INTERVAL_SECONDS: '5' });
    await createPlatformFixtureSchema(app.services.db.pool);
  });
  afterAll(() => app.close());

  it('when rows arrive on the platform, then the service indexes them by itself and /readyz shows the run', async () => {
    app.services.recordsSync.start();
    const [record] = [...generatePatients({ patients: 1, doctors: 1, seed: SEED + 2 })];
    await writePlatformPatients(app.services.db.pool, [record!]);
    const readyz = async () => (await readJson(await fetch(`${app.baseUrl}/readyz`))).checks.recordsSync;
    await expect.poll(async () => (await readyz()).lastRun?.patientsIndexed, { timeout: 30_000, interval: 500 }).toBe(1);
    const check = await readyz();
    expect(check).toMatchObject({ status: 'up', intervalSeconds: 5, lastRun: { outcome: 'succeeded' } });
    expect(check.lagSeconds).toBeLessThan(30);
    const { rowCount } = await app.services.db.pool.query(`SELECT 1 FROM llm_assistant.sources WHERE patient_id = $1`, [record!.patient.id]);
    expect(rowCount).toBeGreaterThan(0);
  });
});
