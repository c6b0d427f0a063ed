import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Logger } from '../logger.js';

export interface EmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL in WASM (PGlite, with pgvector) served on a loopback port, so the rest of
 * the service talks to it with `pg` exactly as to a real server. `memory://` keeps the
 * data in memory (tests); a directory keeps it across restarts.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedPostgres> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: inMemory ? undefined : dataDir, extensions: { vector } });
  // Port 0: the OS picks a free port, so several embedded instances (tests) never clash.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const address = server.getServerConn();
  logger.info({ dataDir: inMemory ? 'memory' : dataDir, address }, 'embedded PostgreSQL (PGlite) started');
  return {
    connectionString: `postgres://postgres@${address}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
