import pg from 'pg';
import pgvector from 'pgvector/pg';
import type { Config } from '../config.js';
import { DependencyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EmbeddedPostgres } from './embedded-postgres.js';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** One pg pool for either backend; code above this layer never knows which one it is. */
export interface Database {
  readonly pool: pg.Pool;
  readonly kind: 'embedded' | 'postgres';
  /** Registers the pgvector types on the pool; call once the extension exists. */
  registerVectorTypes(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the configured database. Embedded: PGlite behind pglite-socket with a pool of
 * exactly one connection, because PGlite is a single session and a second connection
 * would run one request's queries inside another's transaction.
 */
export async function openDatabase(config: Config['database'], logger: Logger): Promise<Database> {
  // Per-pool type parsers, so two databases in one process (tests) never share OIDs.
  const types = new pg.TypeOverrides();
  let embedded: EmbeddedPostgres | undefined;
  let poolConfig: pg.PoolConfig;
  if (config.kind === 'embedded') {
    // Loaded only when used: PGlite's WebAssembly build takes memory a PostgreSQL deployment does not need.
    const { startEmbeddedPostgres } = await import('./embedded-postgres.js');
    embedded = await startEmbeddedPostgres(config.dataDir, logger);
    poolConfig = { connectionString: embedded.connectionString, max: 1 };
  } else {
    poolConfig = { connectionString: config.url, max: config.poolMax };
  }
  const pool = new pg.Pool({
    ...poolConfig,
    types,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'llm-assistant',
    // PGlite is one session that every connection gets in turn, so the named statements a
    // closed connection prepared are still there; pg tracks them per connection and would
    // prepare them again ("already exists"). pg-pool awaits this before it hands the
    // connection out (its types say void).
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    ...(embedded ? { onConnect: resetPreparedStatements } : {}),
  });
  // An idle client that loses its server emits here; without a listener the process dies.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));

  return {
    pool,
    kind: config.kind,
    async registerVectorTypes() {
      await pgvector.registerTypes({
        query: (text: string, values: unknown[]) => pool.query(text, values),
        setTypeParser: (oid: number, format: 'text', parse: (value: string) => unknown) =>
          types.setTypeParser(oid, format, parse),
      });
    },
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

async function resetPreparedStatements(client: pg.ClientBase): Promise<void> {
  await client.query('DEALLOCATE ALL');
}

/**
 * Runs `work` in one transaction on one connection: commits when it resolves, rolls
 * back when it throws (and rethrows). Multi-table writes go through here; `begin` sets
 * another isolation or access mode.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await connect(pool);
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw new DependencyError('database', 'The database is unreachable.', { cause: error });
  }
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * Whether an error means "the database is not there" (as opposed to a bad query):
 * connection failures, pool timeouts, server shutdown (57P*), connection exceptions (08*).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof DependencyError) return error.dependency === 'database';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08') || code.startsWith('57P'))) {
    return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(error.message);
}

/**
 * A small pool for reading another schema's tables (the records sync's
 * RECORDS_DATABASE_URL). Its sessions are read-only by default, on top of whatever the
 * role may do: nothing sent through it can write.
 */
export function openReadOnlyPool(url: string, options: { connectTimeoutMs: number; statementTimeoutMs: number }, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'llm-assistant-records-sync',
    options: '-c default_transaction_read_only=on',
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle records database connection failed'));
  return pool;
}
