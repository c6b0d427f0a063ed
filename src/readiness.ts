import type { KeyValueStore } from './cache/key-value-store.js';
import type { Database } from './db/database.js';
import { migrationStatus, type MigrationFile } from './db/migrations.js';
import type { RecordsSyncHealth } from './ingest/records-sync/records-sync.service.js';

export interface DependencyCheck {
  status: 'up' | 'down' | 'disabled';
  latencyMs?: number;
  detail?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'not_ready';
  checks: {
    database: DependencyCheck & { kind: 'embedded' | 'postgres' };
    schema: { status: 'current' | 'pending' | 'mismatched' | 'unknown'; pending: string[]; applied: number };
    redis: DependencyCheck & { kind: 'redis' | 'memory' };
    recordsSync: RecordsSyncCheck;
  };
}

/** The records sync: its last run (counts and skipped rows' table and id only) and how far behind it is. */
export type RecordsSyncCheck = Pick<RecordsSyncHealth, 'status' | 'lagSeconds' | 'watermark'> &
  Partial<Pick<RecordsSyncHealth, 'intervalSeconds' | 'lastRun'>> & { detail?: string };

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness of this instance: not ready without the database or with a schema it does
 * not know; degraded (still serving) when Redis is down or the records sync is failing.
 */
export async function checkReadiness(
  db: Database,
  store: KeyValueStore,
  migrations: MigrationFile[],
  recordsSyncHealth: () => Promise<RecordsSyncHealth>,
): Promise<ReadinessReport> {
  const [database, schema, redis, recordsSync] = await Promise.all([
    timed(() => db.pool.query('SELECT 1')),
    withTimeout(migrationStatus(db.pool, migrations)).then(
      (status) => ({
        status: status.mismatched.length > 0 ? ('mismatched' as const) : status.pending.length > 0 ? ('pending' as const) : ('current' as const),
        pending: status.pending.map((file) => file.name),
        applied: status.applied.length,
      }),
      () => ({ status: 'unknown' as const, pending: [], applied: 0 }),
    ),
    store.kind === 'memory' ? Promise.resolve({ status: 'disabled' as const }) : timed(() => store.ping()),
    withTimeout(recordsSyncHealth()).then(
      ({ status, lagSeconds, watermark, intervalSeconds, lastRun }): RecordsSyncCheck => ({ status, lagSeconds, watermark, intervalSeconds, lastRun }),
      (error: unknown): RecordsSyncCheck => ({ status: 'down', lagSeconds: null, watermark: null, detail: (error as Error).message }),
    ),
  ]);
  const status =
    database.status === 'down' || schema.status !== 'current'
      ? 'not_ready'
      : redis.status === 'down' || recordsSync.status === 'down'
        ? 'degraded'
        : 'ready';
  return {
    status,
    checks: { database: { ...database, kind: db.kind }, schema, redis: { ...redis, kind: store.kind }, recordsSync },
  };
}

async function timed(check: () => Promise<unknown>): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    await withTimeout(check());
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: 'down', detail: (error as Error).message };
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
