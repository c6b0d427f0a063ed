import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Real services for tests. PGlite always runs; PostgreSQL and Redis run when
 * DATABASE_URL / REDIS_URL are set. Under CI=true a missing one is a failure, not a skip.
 */
export function realDatabaseUrl(): string | undefined {
  const url = process.env.LLM_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url && process.env.CI === 'true') throw new Error('CI=true but DATABASE_URL is not set: real PostgreSQL tests cannot be skipped in CI');
  return url;
}

export function realRedisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === 'true') throw new Error('CI=true but REDIS_URL is not set: real Redis tests cannot be skipped in CI');
  return url;
}

export type BackendName = 'pglite' | 'postgres';

/**
 * Tests about anything but embeddings run on the hashing embedder: the sentence encoder
 * costs each test process a model load and ~60 ms a chunk. Tests of the default embedder
 * set OFFLINE_EMBEDDER themselves.
 */
export const FAST_EMBEDDER = { OFFLINE_EMBEDDER: 'hashing' } as const;

/** The database backends a test file runs against. */
export function databaseBackends(): BackendName[] {
  return realDatabaseUrl() ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  /** Environment for loadConfig: embedded in memory, or a fresh database on the real server. */
  env: Record<string, string>;
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: PGlite in memory, or a freshly created
 * database on the real server (test files run in parallel; `llm_assistant` is a fixed
 * schema name, so they cannot share one database).
 */
export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
  if (backend === 'pglite') {
    return { env: { EMBEDDED_DATA_DIR: 'memory://', ...FAST_EMBEDDER }, url: undefined, drop: () => Promise.resolve() };
  }
  const adminUrl = realDatabaseUrl();
  if (!adminUrl) throw new Error('No DATABASE_URL for the postgres backend');
  const name = `llm_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), MIGRATE_ON_START: 'true', ...FAST_EMBEDDER },
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A key prefix of its own, so test files sharing one Redis never see each other's keys. */
export function uniqueRedisPrefix(): string {
  return `llm-test-${randomBytes(4).toString('hex')}:`;
}

/** A port on loopback where nothing listens (for "dependency down" tests). */
export const CLOSED_PORT = 1;
