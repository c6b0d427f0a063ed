import type { KeyValueStore } from './cache/key-value-store.js';
import { createKeyValueStore } from './cache/create-store.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { assertSchemaCurrent, migrate, migrationStatus, readMigrationFiles, type MigrationFile } from './db/migrations.js';
import type { AccessGuard } from './http/route.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { checkReadiness, type ReadinessReport } from './readiness.js';

/** Everything a running instance is made of; built once by `createServices`. */
export interface Services {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Database;
  store: KeyValueStore;
  migrations: MigrationFile[];
  guard: AccessGuard;
  readiness(): Promise<ReadinessReport>;
  close(): Promise<void>;
}

/**
 * The composition root: opens the database, brings its schema up to date or refuses to
 * go on, and wires every component. Throws when the service must not serve.
 */
export async function createServices(config: Config, logger: Logger, options: { metrics?: Metrics } = {}): Promise<Services> {
  const db = await openDatabase(config.database, logger);
  try {
    const migrations = await readMigrationFiles();
    if (config.database.migrateOnStart) await migrate(db.pool, migrations, logger);
    assertSchemaCurrent(await migrationStatus(db.pool, migrations));
    await db.registerVectorTypes();

    const store = createKeyValueStore(config.redis, logger);
    const metrics = options.metrics ?? new Metrics();
    const guard: AccessGuard = () => Promise.resolve();

    return {
      config,
      logger,
      metrics,
      db,
      store,
      migrations,
      guard,
      readiness: () => checkReadiness(db, store, migrations),
      async close() {
        await Promise.allSettled([store.close(), db.close()]);
      },
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
