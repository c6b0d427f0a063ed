import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { sha256Hex } from '../lib/sha256.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/migrations/', import.meta.url));

const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;
// Any constant works; it only has to be the same for every instance of this service.
const MIGRATION_LOCK_KEY = 7_241_903_118;

const LEDGER_SQL = `
  CREATE SCHEMA IF NOT EXISTS llm_assistant;
  CREATE TABLE IF NOT EXISTS llm_assistant.schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  );`;
const SELECT_APPLIED = `SELECT name, checksum, applied_at FROM llm_assistant.schema_migrations ORDER BY name`;
const INSERT_APPLIED = `INSERT INTO llm_assistant.schema_migrations (name, checksum) VALUES ($1, $2)`;
const LEDGER_EXISTS = `SELECT to_regclass('llm_assistant.schema_migrations') IS NOT NULL AS exists`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: { name: string; checksum: string; appliedAt: Date }[];
  pending: MigrationFile[];
  /** Applied migrations whose file changed since: always an error. */
  mismatched: { name: string; applied: string; file: string }[];
  /** Applied migrations with no file here (a newer version of the service ran). */
  unknown: string[];
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Reads `NNNN_name.sql` files in order; line endings are normalised before hashing. */
export async function readMigrationFiles(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!FILE_PATTERN.test(name)) throw new MigrationError(`Migration file name ${name} does not match NNNN_name.sql`);
    const sql = (await readFile(path.join(dir, name), 'utf8')).replace(/\r\n/g, '\n');
    files.push({ name, sql, checksum: sha256Hex(sql) });
  }
  const versions = files.map((file) => file.name.slice(0, 4));
  const duplicate = versions.find((version, index) => versions.indexOf(version) !== index);
  if (duplicate) throw new MigrationError(`Two migrations share the number ${duplicate}`);
  return files;
}

/** Compares the ledger with the files, without changing anything. */
export async function migrationStatus(db: pg.Pool | pg.PoolClient, files: MigrationFile[]): Promise<MigrationStatus> {
  const { rows } = await db.query<{ exists: boolean }>(LEDGER_EXISTS);
  const applied = rows[0]?.exists
    ? (await db.query<{ name: string; checksum: string; applied_at: Date }>(SELECT_APPLIED)).rows.map((row) => ({
        name: row.name,
        checksum: row.checksum,
        appliedAt: row.applied_at,
      }))
    : [];
  const appliedByName = new Map(applied.map((migration) => [migration.name, migration]));
  const fileNames = new Set(files.map((file) => file.name));
  return {
    applied,
    pending: files.filter((file) => !appliedByName.has(file.name)),
    mismatched: files.flatMap((file) => {
      const done = appliedByName.get(file.name);
      return done && done.checksum !== file.checksum
        ? [{ name: file.name, applied: done.checksum, file: file.checksum }]
        : [];
    }),
    unknown: applied.filter((migration) => !fileNames.has(migration.name)).map((migration) => migration.name),
  };
}

/**
 * Applies pending migrations in order, each in its own transaction together with its
 * ledger row, so a failure leaves that migration wholly unapplied. An advisory lock
 * keeps two instances from migrating at once. An edited, already-applied migration is
 * an error: fix forward with a new file.
 */
export async function migrate(pool: pg.Pool, files: MigrationFile[], logger?: Logger): Promise<string[]> {
  const client = await pool.connect();
  const appliedNow: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(LEDGER_SQL);
    const status = await migrationStatus(client, files);
    assertNoMismatch(status);
    for (const file of status.pending) {
      try {
        await client.query('BEGIN');
        await client.query(file.sql);
        await client.query(INSERT_APPLIED, [file.name, file.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${(error as Error).message}`, {
          cause: error,
        });
      }
      appliedNow.push(file.name);
      logger?.info({ migration: file.name }, 'migration applied');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return appliedNow;
}

/**
 * Start-up check: the service refuses to serve on a schema it does not know, naming
 * what is missing, rather than fail request by request.
 */
export function assertSchemaCurrent(status: MigrationStatus): void {
  assertNoMismatch(status);
  if (status.pending.length > 0) {
    throw new MigrationError(
      `The database lacks ${status.pending.length} migration(s): ${status.pending.map((file) => file.name).join(', ')}. ` +
        'Run `npm run db:migrate` (or start with MIGRATE_ON_START=true).',
    );
  }
}

function assertNoMismatch(status: MigrationStatus): void {
  if (status.mismatched.length > 0) {
    throw new MigrationError(
      `Applied migration(s) changed since they ran: ${status.mismatched.map((m) => m.name).join(', ')}. ` +
        'Restore the original files and add a new migration instead.',
    );
  }
}
