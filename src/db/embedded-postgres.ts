import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { OperatorError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Another process already has the embedded database open. */
export class EmbeddedDatabaseBusyError extends OperatorError {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is open in process ${pid} (is \`npm start\` running?). ` +
        'PGlite allows one process at a time: stop it, or use the running service (POST /v1/admin/reindex).',
    );
  }
}

export interface EmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL in WASM (PGlite, with pgvector and fuzzystrmatch) served on a loopback port, so the rest of
 * the service talks to it with `pg` exactly as to a real server. `memory://` keeps the
 * data in memory (tests); a directory keeps it across restarts.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedPostgres> {
  const inMemory = dataDir.startsWith('memory://');
  const releaseLock = inMemory ? () => Promise.resolve() : await lockDataDir(dataDir);
  let db: PGlite;
  try {
    if (!inMemory) await mkdir(dataDir, { recursive: true });
    db = await PGlite.create({ dataDir: inMemory ? undefined : dataDir, extensions: { vector, fuzzystrmatch } });
  } catch (error) {
    await releaseLock();
    throw error;
  }
  // Port 0: the OS picks a free port, so several embedded instances (tests) never clash.
  // The pool holds a single connection, but pg-pool replaces a connection after any query
  // error, and the old one is detached a tick later: with room for only one, the new
  // connection would be refused and the next query would fail. Queries are serialised
  // by pglite-socket's queue either way.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const address = server.getServerConn();
  logger.info({ dataDir: inMemory ? 'memory' : dataDir, address }, 'embedded PostgreSQL (PGlite) started');
  return {
    connectionString: `postgres://postgres@${address}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
      await releaseLock();
    },
  };
}

/**
 * A pid file beside the data directory: two processes opening one PGlite directory
 * would corrupt it. A lock left by a dead process is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${dataDir.replace(/\/+$/, '')}.lock`;
  await mkdir(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(lockFile, 'utf8').catch(() => ''));
      if (pid && pid !== process.pid && isAlive(pid)) throw new EmbeddedDatabaseBusyError(dataDir, pid);
      await rm(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
