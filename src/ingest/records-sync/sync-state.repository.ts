import type pg from 'pg';
import type { Queryable } from '../../db/database.js';
import type { PatientDigest } from './platform-records.repository.js';
import type { RecordsSyncReport } from './records-sync.js';

const ISO_INSTANT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

const SELECT_WATERMARK = `
  SELECT to_char(watermark AT TIME ZONE 'UTC', ${ISO_INSTANT}) AS watermark FROM llm_assistant.records_sync_state`;

// Never backwards: the first page of a run starts inside the overlap window, before it.
const ADVANCE_WATERMARK = `
  INSERT INTO llm_assistant.records_sync_state (watermark) VALUES ($1::timestamptz)
  ON CONFLICT (singleton) DO UPDATE SET
    watermark = GREATEST(records_sync_state.watermark, excluded.watermark), updated_at = now()`;

const SAVE_RUN = `
  INSERT INTO llm_assistant.records_sync_state (last_run, last_success_started_at) VALUES ($1::jsonb, $2::timestamptz)
  ON CONFLICT (singleton) DO UPDATE SET
    last_run = excluded.last_run,
    last_success_started_at = COALESCE(excluded.last_success_started_at, records_sync_state.last_success_started_at),
    updated_at = now()`;

const SELECT_STATUS = `
  SELECT last_run, to_char(watermark AT TIME ZONE 'UTC', ${ISO_INSTANT}) AS watermark,
         extract(epoch FROM now() - last_success_started_at)::float8 AS lag_seconds
  FROM llm_assistant.records_sync_state`;

const UPSERT_PATIENTS = `
  INSERT INTO llm_assistant.records_sync_patients (patient_id, rows_digest)
  SELECT * FROM unnest($1::uuid[], $2::text[])
  ON CONFLICT (patient_id) DO UPDATE SET rows_digest = excluded.rows_digest, synced_at = now()`;

const DELETE_PATIENTS = `DELETE FROM llm_assistant.records_sync_patients WHERE patient_id = ANY ($1::uuid[])`;

const SELECT_PATIENTS_PAGE = `
  SELECT patient_id::text, rows_digest FROM llm_assistant.records_sync_patients
  WHERE patient_id > $1::uuid ORDER BY patient_id LIMIT $2`;

export interface RecordsSyncStatus {
  lastRun: RecordsSyncReport | null;
  watermark: string | null;
  /** Seconds since the last successful run started: changes older than that are indexed. */
  lagSeconds: number | null;
}

/** What the sync keeps in llm_assistant: its watermark, its last run, and a digest per synced patient. */
export class SyncStateRepository {
  constructor(private readonly db: Queryable) {}

  async watermark(): Promise<string | null> {
    const { rows } = await this.db.query<{ watermark: string | null }>(SELECT_WATERMARK);
    return rows[0]?.watermark ?? null;
  }

  async advanceWatermark(changedAt: string): Promise<void> {
    await this.db.query(ADVANCE_WATERMARK, [changedAt]);
  }

  async saveRun(report: RecordsSyncReport): Promise<void> {
    await this.db.query(SAVE_RUN, [JSON.stringify(report), report.outcome === 'succeeded' ? report.startedAt : null]);
  }

  async status(): Promise<RecordsSyncStatus> {
    const { rows } = await this.db.query<{ last_run: RecordsSyncReport | null; watermark: string | null; lag_seconds: number | null }>(SELECT_STATUS);
    const row = rows[0];
    return { lastRun: row?.last_run ?? null, watermark: row?.watermark ?? null, lagSeconds: row?.lag_seconds ?? null };
  }

  async recordPatients(digests: Map<string, PatientDigest>): Promise<void> {
    if (digests.size === 0) return;
    const entries = [...digests];
    await this.db.query(UPSERT_PATIENTS, [entries.map(([id]) => id), entries.map(([, d]) => d.digest)]);
  }

  async forgetPatients(patientIds: string[]): Promise<void> {
    if (patientIds.length > 0) await this.db.query(DELETE_PATIENTS, [patientIds]);
  }

  /** Synced patients after `afterId` by id, at most `limit`: the deletion sweep's pages. */
  async patientsPage(afterId: string, limit: number): Promise<{ patientId: string; digest: string }[]> {
    const { rows } = await this.db.query<{ patient_id: string; rows_digest: string }>(SELECT_PATIENTS_PAGE, [afterId, limit]);
    return rows.map((row) => ({ patientId: row.patient_id, digest: row.rows_digest }));
  }
}

/**
 * A session-level advisory lock, so that one replica at a time runs the sync; null when
 * another session holds it. The lock lives as long as its connection: a process that dies
 * lets it go. On a one-connection pool (the embedded database, one process by
 * construction) the pooled session is the only one, so it is taken without holding it.
 */
export async function tryAdvisoryLock(pool: pg.Pool, key: number): Promise<(() => Promise<void>) | null> {
  const shared = pool.options.max === 1;
  const client = shared ? pool : await pool.connect();
  const release = () => ('release' in client ? client.release() : undefined);
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (!rows[0]?.locked) {
      release();
      return null;
    }
  } catch (error) {
    release();
    throw error;
  }
  return async () => {
    try {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    } finally {
      release();
    }
  };
}
