import type { KeyValueStore } from './cache/key-value-store.js';
import type { Database } from './db/database.js';
import { migrationStatus, type MigrationFile } from './db/migrations.js';

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
  };
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness of this instance: not ready without the database or with a schema it does
 * not know; degraded (still serving, without Redis) when Redis is down.
 */
export async function checkReadiness(db: Database, store: KeyValueStore, migrations: MigrationFile[]): Promise<ReadinessReport> {
  const [database, schema, redis] = await Promise.all([
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
  ]);
  const status =
    database.status === 'down' || schema.status !== 'current'
      ? 'not_ready'
      : redis.status === 'down'
        ? 'degraded'
        : 'ready';
  return {
    status,
    checks: { database: { ...database, kind: db.kind }, schema, redis: { ...redis, kind: store.kind } },
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
