import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { OperatorError } from '../errors.js';
import type { Logger } from '../logger.js';
import { sha256Hex } from '../lib/sha256.js';

/**
 * `migrations/NNNN_name.sql`: tables, applied once each, in order, never edited.
 * `functions/name.sql`: one SQL function (with its triggers) per file, applied again
 * whenever the file's checksum changes, like Flyway's repeatable migrations, so the
 * current definition is always in one place.
 */
export const SQL_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));

const VERSIONED_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;
const REPEATABLE_PATTERN = /^[a-z0-9_]+\.sql$/;
/**
 * Numbered migrations that held nothing but functions now in sql/functions (successive
 * versions of search_chunks): their files are gone, and databases that applied them
 * keep the ledger rows, which are expected rather than "unknown".
 */
const FOLDED_INTO_FUNCTIONS = new Set([
  '0007_search_functions.sql',
  '0009_search_chunks_fast_paths.sql',
  '0012_search_chunks_ranked_relaxation.sql',
  '0013_search_chunks_generic_plans_unfiltered.sql',
]);
// Any constant works; it only has to be the same for every instance of this service.
const MIGRATION_LOCK_KEY = 7_241_903_118;

const LEDGER_SQL = `
  CREATE SCHEMA IF NOT EXISTS llm_assistant;
  CREATE TABLE IF NOT EXISTS llm_assistant.schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS llm_assistant.schema_functions (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  );`;
const LEDGERS_EXIST = `
  SELECT to_regclass('llm_assistant.schema_migrations') IS NOT NULL AS versioned,
         to_regclass('llm_assistant.schema_functions') IS NOT NULL AS repeatable`;
const SELECT_VERSIONED = `SELECT name, checksum, applied_at FROM llm_assistant.schema_migrations ORDER BY name`;
const SELECT_REPEATABLE = `SELECT 'functions/' || name AS name, checksum, applied_at FROM llm_assistant.schema_functions ORDER BY name`;
const INSERT_VERSIONED = `INSERT INTO llm_assistant.schema_migrations (name, checksum) VALUES ($1, $2)`;
const UPSERT_REPEATABLE = `
  INSERT INTO llm_assistant.schema_functions (name, checksum) VALUES ($1, $2)
  ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`;

export interface MigrationFile {
  /** `0002_docs_chunks.sql`, or `functions/search_chunks.sql` for a repeatable file. */
  name: string;
  kind: 'versioned' | 'repeatable';
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: { name: string; checksum: string; appliedAt: Date }[];
  /** Numbered migrations not applied yet, then function files new or changed since applied. */
  pending: MigrationFile[];
  /** Applied numbered migrations whose file changed since: always an error. */
  mismatched: { name: string; applied: string; file: string }[];
  /** Applied migrations with no file here (a newer version of the service ran). */
  unknown: string[];
}

export class MigrationError extends OperatorError {}

/**
 * Reads `<root>/migrations/NNNN_name.sql` in order, then `<root>/functions/name.sql`;
 * line endings are normalised before hashing.
 */
export async function readMigrationFiles(root = SQL_DIR): Promise<MigrationFile[]> {
  const versioned = await readSqlFolder(path.join(root, 'migrations'), VERSIONED_PATTERN, 'NNNN_name.sql');
  const versions = versioned.map((file) => file.name.slice(0, 4));
  const duplicate = versions.find((version, index) => versions.indexOf(version) !== index);
  if (duplicate) throw new MigrationError(`Two migrations share the number ${duplicate}`);
  const repeatable = await readSqlFolder(path.join(root, 'functions'), REPEATABLE_PATTERN, 'name.sql');
  return [
    ...versioned.map((file) => ({ ...file, kind: 'versioned' as const })),
    ...repeatable.map((file) => ({ ...file, name: `functions/${file.name}`, kind: 'repeatable' as const })),
  ];
}

async function readSqlFolder(dir: string, pattern: RegExp, shape: string): Promise<{ name: string; sql: string; checksum: string }[]> {
  const names = (await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error))))
    .filter((name) => name.endsWith('.sql'))
    .sort();
  const files = [];
  for (const name of names) {
    if (!pattern.test(name)) throw new MigrationError(`SQL file name ${name} in ${dir} does not match ${shape}`);
    const sql = (await readFile(path.join(dir, name), 'utf8')).replace(/\r\n/g, '\n');
    files.push({ name, sql, checksum: sha256Hex(sql) });
  }
  return files;
}

/** Compares the ledgers with the files, without changing anything. */
export async function migrationStatus(db: pg.Pool | pg.PoolClient, files: MigrationFile[]): Promise<MigrationStatus> {
  const applied = await readLedgers(db);
  const appliedByName = new Map(applied.map((migration) => [migration.name, migration]));
  const fileNames = new Set(files.map((file) => file.name));
  const changed = (file: MigrationFile) => appliedByName.get(file.name)?.checksum !== file.checksum;
  return {
    applied,
    pending: files.filter((file) => (file.kind === 'versioned' ? !appliedByName.has(file.name) : changed(file))),
    mismatched: files.flatMap((file) => {
      const done = appliedByName.get(file.name);
      return file.kind === 'versioned' && done && done.checksum !== file.checksum
        ? [{ name: file.name, applied: done.checksum, file: file.checksum }]
        : [];
    }),
    unknown: applied
      .filter((migration) => !fileNames.has(migration.name) && !FOLDED_INTO_FUNCTIONS.has(migration.name))
      .map((migration) => migration.name),
  };
}

async function readLedgers(db: pg.Pool | pg.PoolClient): Promise<MigrationStatus['applied']> {
  const { rows } = await db.query<{ versioned: boolean; repeatable: boolean }>(LEDGERS_EXIST);
  const queries = [rows[0]?.versioned ? SELECT_VERSIONED : null, rows[0]?.repeatable ? SELECT_REPEATABLE : null];
  const applied = [];
  for (const query of queries) {
    if (!query) continue;
    const result = await db.query<{ name: string; checksum: string; applied_at: Date }>(query);
    applied.push(...result.rows.map((row) => ({ name: row.name, checksum: row.checksum, appliedAt: row.applied_at })));
  }
  return applied;
}

/**
 * Applies pending numbered migrations in order, then the function files that are new or
 * changed, each in its own transaction together with its ledger row, so a failure
 * leaves that file wholly unapplied. An advisory lock keeps two instances from
 * migrating at once. An edited, already-applied numbered migration is an error: fix
 * forward with a new file.
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
        // The pool's statement timeout guards requests; a migration rewriting a large table may take minutes.
        await client.query('SET LOCAL statement_timeout = 0');
        // Function files refer to each other; bodies are checked when called, as pg_dump's output is.
        if (file.kind === 'repeatable') await client.query('SET LOCAL check_function_bodies = off');
        await client.query(file.sql);
        if (file.kind === 'versioned') await client.query(INSERT_VERSIONED, [file.name, file.checksum]);
        else await client.query(UPSERT_REPEATABLE, [file.name.slice('functions/'.length), file.checksum]);
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
