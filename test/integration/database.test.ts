import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, withTransaction, type Database } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, databaseBackends, type TestDatabase } from '../support/services.js';

describe.each(databaseBackends())('database layer on %s', (backend) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    db = await openDatabase(loadConfig(testDb.env).database, createLogger('silent'));
    await db.pool.query('CREATE TABLE t (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('when a query fails, then the next query on the pool still succeeds', async () => {
    await expect(db.pool.query('SELECT no_such_column FROM t')).rejects.toThrow(/does not exist/);
    await expect(db.pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('when the work resolves, then withTransaction commits all of it', async () => {
    await withTransaction(db.pool, async (client) => {
      await client.query('INSERT INTO t VALUES (1), (2)');
    });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 2 });
  });

  it('when the work throws halfway, then withTransaction rolls everything back and rethrows', async () => {
    await expect(
      withTransaction(db.pool, async (client) => {
        await client.query('INSERT INTO t VALUES (3)');
        await client.query('INSERT INTO t VALUES (1)'); // duplicate key
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await db.pool.query('SELECT array_agg(id ORDER BY id) AS ids FROM t')).rows[0]).toEqual({ ids: [1, 2] });
  });

  it('when two transactions run at once, then neither sees the other half-done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = withTransaction(db.pool, async (client) => {
      await client.query('INSERT INTO t VALUES (10)');
      await gate;
      await client.query('INSERT INTO t VALUES (11)');
    });
    const reader = db.pool.query<{ ids: number[] }>('SELECT array_agg(id ORDER BY id) AS ids FROM t WHERE id >= 10');
    release();
    await slow;
    const seen = (await reader).rows[0]!.ids;
    expect(seen === null || seen.length === 2).toBe(true);
  });
});
