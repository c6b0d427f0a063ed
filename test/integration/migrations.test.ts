import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import {
  assertSchemaCurrent,
  migrate,
  MigrationError,
  migrationStatus,
  readMigrationFiles,
} from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { createTestDatabase, databaseBackends, FAST_EMBEDDER, type TestDatabase } from '../support/services.js';

const logger = createLogger('silent');

/** A root like sql/: `functions/x.sql` keys go to functions/, the others to migrations/. */
async function migrationDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  await mkdir(path.join(dir, 'migrations'));
  await mkdir(path.join(dir, 'functions'));
  for (const [name, sql] of Object.entries(files)) {
    await writeFile(path.join(dir, name.startsWith('functions/') ? name : path.join('migrations', name)), sql);
  }
  return dir;
}

describe.each(databaseBackends())('migrations on %s', (backend) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    db = await openDatabase(loadConfig(testDb.env).database, logger);
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('when migrations are pending, then they apply in order, once, with checksums recorded', async () => {
    const dir = await migrationDir({
      '0002_b.sql': 'CREATE TABLE IF NOT EXISTS llm_assistant.t_b (id int REFERENCES llm_assistant.t_a (id));',
      '0001_a.sql': 'CREATE SCHEMA IF NOT EXISTS llm_assistant; CREATE TABLE IF NOT EXISTS llm_assistant.t_a (id int PRIMARY KEY);',
    });
    const files = await readMigrationFiles(dir);
    expect(files.map((file) => file.name)).toEqual(['0001_a.sql', '0002_b.sql']);

    expect(await migrate(db.pool, files)).toEqual(['0001_a.sql', '0002_b.sql']);
    expect(await migrate(db.pool, files)).toEqual([]);
    const status = await migrationStatus(db.pool, files);
    expect(status.pending).toEqual([]);
    expect(status.applied.map((m) => m.checksum)).toEqual(files.map((file) => file.checksum));
    await rm(dir, { recursive: true });
  });

  it('when an applied migration was edited, then migrating and the schema check both refuse', async () => {
    const dir = await migrationDir({
      '0001_a.sql': 'CREATE SCHEMA IF NOT EXISTS llm_assistant; CREATE TABLE IF NOT EXISTS llm_assistant.t_a (id int PRIMARY KEY); -- edited',
      '0002_b.sql': 'CREATE TABLE IF NOT EXISTS llm_assistant.t_b (id int REFERENCES llm_assistant.t_a (id));',
    });
    const files = await readMigrationFiles(dir);
    await expect(migrate(db.pool, files)).rejects.toThrow(/changed since they ran: 0001_a\.sql/);
    expect(() => assertSchemaCurrent({ applied: [], pending: [], mismatched: [{ name: '0001_a.sql', applied: 'x', file: 'y' }], unknown: [] })).toThrow(MigrationError);
    await rm(dir, { recursive: true });
  });

  it('when a migration fails in the middle, then it leaves nothing half-applied and later ones do not run', async () => {
    const dir = await migrationDir({
      '0001_a.sql': 'CREATE SCHEMA IF NOT EXISTS llm_assistant; CREATE TABLE IF NOT EXISTS llm_assistant.t_a (id int PRIMARY KEY);',
      '0002_b.sql': 'CREATE TABLE IF NOT EXISTS llm_assistant.t_b (id int REFERENCES llm_assistant.t_a (id));',
      '0003_c.sql': 'CREATE TABLE llm_assistant.t_c (id int); INSERT INTO llm_assistant.t_c VALUES (1); SELECT no_such_function();',
      '0004_d.sql': 'CREATE TABLE llm_assistant.t_d (id int);',
    });
    const files = await readMigrationFiles(dir);
    await expect(migrate(db.pool, files)).rejects.toThrow(/0003_c\.sql failed and was rolled back/);
    const { rows } = await db.pool.query<{ c: string | null; d: string | null }>(
      `SELECT to_regclass('llm_assistant.t_c')::text AS c, to_regclass('llm_assistant.t_d')::text AS d`,
    );
    expect(rows[0]).toEqual({ c: null, d: null });
    const status = await migrationStatus(db.pool, files);
    expect(status.pending.map((file) => file.name)).toEqual(['0003_c.sql', '0004_d.sql']);
    expect(() => assertSchemaCurrent(status)).toThrow(/lacks 2 migration\(s\): 0003_c\.sql, 0004_d\.sql/);
    await rm(dir, { recursive: true });
  });

  it('when a function file is new or changed, then it is applied again, after the numbered migrations', async () => {
    const table = 'CREATE SCHEMA IF NOT EXISTS llm_assistant; CREATE TABLE IF NOT EXISTS llm_assistant.t_f (id int PRIMARY KEY);';
    const fn = (answer: number) =>
      `CREATE OR REPLACE FUNCTION llm_assistant.f_answer() RETURNS int LANGUAGE sql AS $fn$ SELECT ${answer} + (SELECT count(*)::int FROM llm_assistant.t_f) $fn$;`;
    const first = await migrationDir({ '0001_f.sql': table, 'functions/f_answer.sql': fn(41) });
    const firstFiles = await readMigrationFiles(first);
    expect(firstFiles.map((file) => [file.name, file.kind])).toEqual([['0001_f.sql', 'versioned'], ['functions/f_answer.sql', 'repeatable']]);
    expect(await migrate(db.pool, firstFiles)).toEqual(['0001_f.sql', 'functions/f_answer.sql']);
    expect(await migrate(db.pool, firstFiles)).toEqual([]);

    const changed = await migrationDir({ '0001_f.sql': table, 'functions/f_answer.sql': fn(42) });
    const changedFiles = await readMigrationFiles(changed);
    const status = await migrationStatus(db.pool, changedFiles);
    expect(status.pending.map((file) => file.name)).toEqual(['functions/f_answer.sql']);
    expect(status.mismatched).toEqual([]);
    expect(() => assertSchemaCurrent(status)).toThrow(/functions\/f_answer\.sql/);
    expect(await migrate(db.pool, changedFiles)).toEqual(['functions/f_answer.sql']);
    const { rows } = await db.pool.query<{ answer: number }>('SELECT llm_assistant.f_answer() AS answer');
    expect(rows[0]?.answer).toBe(42);
    await rm(first, { recursive: true });
    await rm(changed, { recursive: true });
  });

  it('when a migration file name is malformed, then reading the folder fails', async () => {
    const dir = await migrationDir({ '1_bad.sql': 'SELECT 1;' });
    await expect(readMigrationFiles(dir)).rejects.toThrow(/NNNN_name\.sql/);
    await rm(dir, { recursive: true });
  });
});

describe.each(databaseBackends())('project migrations on %s', (backend) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    db = await openDatabase(loadConfig(testDb.env).database, logger);
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('when every project migration runs twice as plain SQL, then the second run changes nothing and fails nothing', async () => {
    const files = (await readMigrationFiles()).filter((file) => file.kind === 'versioned');
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) await db.pool.query(file.sql);
    for (const file of files) await db.pool.query(file.sql);
    const { rows } = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'llm_assistant' ORDER BY 1`,
    );
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['docs_chunks', 'module_summaries', 'query_cache', 'conversation_memory', 'sources', 'ingest_jobs']),
    );
    const { rows: indexes } = await db.pool.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'llm_assistant' AND tablename = 'docs_chunks'`,
    );
    expect(indexes.some((index) => /USING hnsw \(embedding vector_cosine_ops\)/.test(index.indexdef))).toBe(true);
    expect(indexes.some((index) => /USING gin \(fts\)/.test(index.indexdef))).toBe(true);
  });

  it('when a database applied the migrations folded into sql/functions, then their ledger rows are not unknown', async () => {
    const files = await readMigrationFiles();
    await migrate(db.pool, files);
    await db.pool.query(`INSERT INTO llm_assistant.schema_migrations (name, checksum) VALUES ('0013_search_chunks_generic_plans_unfiltered.sql', 'x')`);
    await db.pool.query(`INSERT INTO llm_assistant.schema_migrations (name, checksum) VALUES ('0099_from_a_newer_version.sql', 'y')`);
    expect((await migrationStatus(db.pool, files)).unknown).toEqual(['0099_from_a_newer_version.sql']);
  });
});

describe.each(databaseBackends())('project functions on %s', (backend) => {
  it('when the service has migrated, then every function in the database is the one in its file', async () => {
    const testDb = await createTestDatabase(backend);
    const services = await createServices(loadConfig({ ...testDb.env, INDEX_EXAMPLES_ON_START: 'false' }), logger);
    try {
      const files = (await readMigrationFiles()).filter((file) => file.kind === 'repeatable');
      expect(files.map((file) => file.name)).toEqual(expect.arrayContaining(['functions/search_chunks.sql', 'functions/lexical_candidates.sql']));
      const definitions = files.flatMap((file) =>
        [...file.sql.matchAll(/CREATE (?:OR REPLACE )?FUNCTION llm_assistant\.(\w+)\([\s\S]*?\bAS (\$\w*\$)([\s\S]*?)\2/g)].map((match) => ({
          name: match[1]!,
          body: match[3]!,
        })),
      );
      expect(definitions.length).toBeGreaterThanOrEqual(files.length);
      for (const definition of definitions) {
        const { rows } = await services.db.pool.query<{ prosrc: string }>(
          `SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'llm_assistant' AND p.proname = $1`,
          [definition.name],
        );
        expect(rows.map((row) => row.prosrc), definition.name).toEqual([definition.body]);
      }
    } finally {
      await services.close();
      await testDb.drop();
    }
  });
});

describe.each(databaseBackends())('start-up schema check on %s', (backend) => {
  it('when the database lacks migrations and migrating on start is off, then the service refuses to start, naming them', async () => {
    const testDb = await createTestDatabase(backend);
    try {
      const config = loadConfig({ ...testDb.env, MIGRATE_ON_START: 'false' });
      await expect(createServices(config, logger)).rejects.toThrow(/lacks \d+ migration\(s\): 0001_schema\.sql, 0002_docs_chunks\.sql/);
    } finally {
      await testDb.drop();
    }
  });
});

describe('start-up as a process', () => {
  const run = promisify(execFile);
  it('when the schema is missing, then `npm start` exits non-zero and names the missing migrations', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, EMBEDDED_DATA_DIR: 'memory://', MIGRATE_ON_START: 'false', PORT: '0', LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    delete env.LLM_DATABASE_URL;
    const error = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, timeout: 60_000 }).then(
      () => undefined,
      (caught: { code: number; stderr: string }) => caught,
    );
    expect(error?.code).toBe(3);
    expect(error?.stderr).toMatch(/lacks \d+ migration\(s\): 0001_schema\.sql/);
  });

  it('when a variable is invalid, then start-up exits with every problem listed', async () => {
    const env = { ...process.env, PORT: 'x', REDIS_URL: 'nope' };
    const error = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, timeout: 60_000 }).then(
      () => undefined,
      (caught: { code: number; stderr: string }) => caught,
    );
    expect(error?.code).toBe(78);
    expect(error?.stderr).toMatch(/PORT/);
    expect(error?.stderr).toMatch(/REDIS_URL/);
  });
});

describe('embedded database on disk', () => {
  it('when the service restarts on the same data directory, then the data is still there', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pglite-'));
    const config = loadConfig({ EMBEDDED_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...FAST_EMBEDDER });
    const first = await createServices(config, logger);
    await first.db.pool.query(
      `INSERT INTO llm_assistant.sources (source_kind, collection, source_id, uri, title, content_hash) VALUES ('doc', 'c', 'kept', 'kept.md', 'Kept', 'h')`,
    );
    await first.close();
    const second = await createServices(config, logger);
    const { rows } = await second.db.pool.query(`SELECT source_id FROM llm_assistant.sources`);
    expect(rows).toEqual([{ source_id: 'kept' }]);
    await second.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});
