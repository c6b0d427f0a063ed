import type pg from 'pg';
import { escapeIdentifier } from 'pg';
import { loadConfig } from '../src/config.js';
import { generatePatients } from '../src/ingest/records/synthetic-records.js';
import type { PatientRecord } from '../src/ingest/records/record.schemas.js';
import { createPlatformFixtureSchema, writePlatformPatients } from '../src/ingest/records-sync/platform-fixture.js';
import { PLATFORM_SCHEMA, PLATFORM_TABLES } from '../src/ingest/records-sync/platform-mapping.js';
import type { RecordsSyncReport } from '../src/ingest/records-sync/records-sync.js';
import { createLogger } from '../src/logger.js';
import { Metrics } from '../src/metrics.js';
import { createServices } from '../src/services.js';
import { freshDatabase, peakRssMb, resetPeakRss, round, type BenchOptions, type BenchReport } from './bench/lib.js';

const WRITE_BATCH = 500;
/** The share of patients changed before the incremental run. */
const CHANGED_SHARE = 0.01;
const OVERLAP_SECONDS = 120;

/**
 * Moves every generated row's change time a day back, as if the platform had written
 * them long ago: generated in a few seconds, they would all fall inside the overlap
 * window of the watermark, and every later run would read them all again.
 */
async function backdate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Without the fixture's trigger, which would stamp now() again.
    await client.query('SET session_replication_role = replica');
    for (const table of Object.values(PLATFORM_TABLES)) {
      if (!table) continue;
      const column = escapeIdentifier(table.changedAt);
      await client.query(`UPDATE ${escapeIdentifier(PLATFORM_SCHEMA)}.${escapeIdentifier(table.name)} SET ${column} = ${column} - interval '1 day'`);
    }
  } finally {
    client.release();
  }
}

/**
 * `npm run bench -- records-sync [--size N] [--visits V]`: N synthetic patients (default
 * 10,000; V appointments each, issue 20's 5, or 1 to 6) in the medical_records fixture
 * tables, then the records sync of the service on the hashing embedder: a first sync into
 * an empty index (a bulk load from 1,000 patients: time, peak RSS of the process), a run with
 * nothing changed (the cost of the deletion sweep), and a run after 1% of the patients
 * had one appointment edited (rows read, embedding calls).
 */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const size = options.size ?? 10_000;
  const { url, pool } = await freshDatabase(options.serverUrl, 'llm_bench_records', 2);
  let visits = 0;
  try {
    await createPlatformFixtureSchema(pool);
    let batch: PatientRecord[] = [];
    const flush = async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await writePlatformPatients(client, batch);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      batch = [];
    };
    for (const record of generatePatients({ patients: size, doctors: 50, seed: 1, visits: options.visits })) {
      visits += record.appointments.length;
      batch.push(record);
      if (batch.length >= WRITE_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    options.log(`${size} patients, ${visits} appointments written`);
    await backdate(pool);
  } finally {
    await pool.end();
  }

  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url,
    MIGRATE_ON_START: 'true',
    INDEX_EXAMPLES_ON_START: 'false',
    OFFLINE_EMBEDDER: 'hashing',
    RECORDS_SYNC_OVERLAP_SECONDS: String(OVERLAP_SECONDS),
  });
  const services = await createServices(config, createLogger('warn', process.stderr), { metrics: new Metrics({ defaultMetrics: false }) });
  try {
    await resetPeakRss();
    const rssBefore = await peakRssMb();
    options.log('first sync');
    const first = await services.recordsSync.runOnce();
    const firstRss = await peakRssMb();
    if (first.outcome !== 'succeeded') throw new Error(`first sync ${first.outcome}: ${first.error}`);

    options.log('run with nothing changed');
    const idle = await services.recordsSync.runOnce();

    const changed = Math.max(1, Math.round(size * CHANGED_SHARE));
    await services.db.pool.query(
      `UPDATE medical_records.appointments a SET reason = a.reason || ' (revised)'
       FROM (SELECT DISTINCT ON (patient_id) id FROM medical_records.appointments
             WHERE patient_id IN (SELECT id FROM medical_records.patients ORDER BY id LIMIT $1)
             ORDER BY patient_id, id) AS pick
       WHERE a.id = pick.id`,
      [changed],
    );
    options.log(`incremental run after ${changed} patients changed`);
    const incremental = await services.recordsSync.runOnce();

    const row = (name: string, report: RecordsSyncReport, rss: string) => [
      name,
      round(report.ms / 1000, 1),
      report.patientsChanged,
      report.patientsIndexed,
      report.rowsRead,
      report.embeddingCalls,
      `+${report.documents.added} ~${report.documents.updated} =${report.documents.unchanged}`,
      rss,
    ];
    return {
      title: `Records sync, ${size} patients (${options.visits ? `${options.visits} visits each, ` : ''}${visits} appointments), hashing embedder`,
      columns: ['run', 's', 'patients changed', 'patients indexed', 'rows read', 'embedding calls', 'documents (+new ~updated =same)', 'peak RSS MB'],
      rows: [
        row(`first sync (empty index${first.bulk ? ', bulk load' : ', batch by batch'})`, first, `${firstRss} (${rssBefore} before)`),
        row('nothing changed', idle, ''),
        row(`1% changed (${changed} patients, one appointment each)`, incremental, ''),
      ],
      notes: [
        first.bulk
          ? `First sync: one transaction, HNSW index dropped and built once before the commit; later runs: batches of ${config.recordsSync.batchPatients} patients, each one transaction into the live HNSW graph; overlap window ${OVERLAP_SECONDS} s.`
          : `Batches of ${config.recordsSync.batchPatients} patients, each one transaction into the live HNSW graph; overlap window ${OVERLAP_SECONDS} s.`,
        'Rows read: platform rows loaded, plus one per patient in the change list and one per patient in the deletion sweep (digests are computed by the server).',
        'Peak RSS is the whole benchmark process (service and generator), reset before the first sync.',
      ],
      figures: { size, visits, first, idle, incremental, firstPeakRssMb: firstRss },
    };
  } finally {
    await services.close();
  }
}
