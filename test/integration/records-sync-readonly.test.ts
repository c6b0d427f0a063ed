import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReadOnlyPool } from '../../src/db/database.js';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { createPlatformFixtureSchema, writePlatformPatients } from '../../src/ingest/records-sync/platform-fixture.js';
import { runRecordsSync } from '../../src/ingest/records-sync/records-sync.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { realDatabaseUrl } from '../support/services.js';

/**
 * The records sync's connection to the platform, as docs/records-sync.md sets it up: a
 * role that may only SELECT on medical_records. Real PostgreSQL only (PGlite has no roles).
 */
describe.runIf(realDatabaseUrl())('records sync through a read-only role on postgres', () => {
  let app: TestApp;
  let readerUrl: string;
  let reader: pg.Pool;
  const role = `llm_records_reader_${randomBytes(4).toString('hex')}`;
  const patients = [...generatePatients({ patients: 3, doctors: 2, seed: 21 })];

  beforeAll(async () => {
    app = await startTestApp('postgres');
    const pool = app.services.db.pool;
    await createPlatformFixtureSchema(pool);
    await writePlatformPatients(pool, patients);
    const database = new URL(app.database.url!).pathname.slice(1);
    // The grants of docs/records-sync.md, word for word.
    await pool.query(`CREATE ROLE ${role} LOGIN`);
    await pool.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
    await pool.query(`GRANT USAGE ON SCHEMA medical_records TO ${role}`);
    await pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA medical_records TO ${role}`);
    await pool.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
    const url = new URL(app.database.url!);
    url.username = role;
    readerUrl = url.toString();
    reader = openReadOnlyPool(readerUrl, { connectTimeoutMs: 5_000, statementTimeoutMs: 15_000 }, app.services.logger);
  });
  afterAll(async () => {
    await reader?.end();
    await app?.close();
    const admin = new pg.Client({ connectionString: realDatabaseUrl() });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
  });

  it("when a write goes through the sync's connection, then PostgreSQL refuses it", async () => {
    await expect(reader.query(`UPDATE medical_records.patients SET last_name = 'Changed'`)).rejects.toMatchObject({ code: '25006' });
    await expect(reader.query(`DELETE FROM medical_records.appointments`)).rejects.toMatchObject({ code: '25006' });
  });

  it('when the role writes even outside a read-only transaction, then its grants refuse it', async () => {
    const client = new pg.Client({ connectionString: readerUrl });
    await client.connect();
    try {
      await client.query('SET default_transaction_read_only = off');
      await expect(client.query(`UPDATE medical_records.patients SET last_name = 'Changed'`)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query(`INSERT INTO medical_records.patient_shares (id, patient_id, doctor_id) SELECT gen_random_uuid(), id, id FROM medical_records.patients`)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query(`DELETE FROM llm_assistant.sources`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
    const { rows } = await app.services.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM medical_records.patients WHERE last_name = 'Changed'`);
    expect(rows[0]!.n).toBe(0);
  });

  it('when the sync reads through that role, then it indexes every patient', async () => {
    const { services } = app;
    const report = await runRecordsSync(
      { indexer: { pool: services.db.pool, embedder: services.embedder, chunking: services.config.chunking, logger: services.logger }, platform: reader },
      { overlapSeconds: 30, batchPatients: 10 },
    );
    expect(report).toMatchObject({ outcome: 'succeeded', patientsIndexed: patients.length, problemCount: 0 });
  });
});
