import type { KeyValueStore } from './cache/key-value-store.js';
import { createKeyValueStore } from './cache/create-store.js';
import { createChatServices, type ChatServices } from './chat/chat.services.js';
import type { Config } from './config.js';
import { openDatabase, openReadOnlyPool, type Database } from './db/database.js';
import { assertSchemaCurrent, migrate, migrationStatus, readMigrationFiles, type MigrationFile } from './db/migrations.js';
import { ensureIndexState, resetIndex } from './ingest/index-state.js';
import { IngestJobs } from './ingest/ingest-jobs.js';
import { IngestService } from './ingest/ingest.service.js';
import { RecordsSyncService } from './ingest/records-sync/records-sync.service.js';
import type { IndexerDependencies } from './ingest/source-indexer.js';
import { createEmbedder } from './llm/embeddings/create-embedder.js';
import type { Embedder } from './llm/embeddings/embedder.js';
import { MeteredEmbedder } from './llm/embeddings/metered-embedder.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { CachedQueryEmbedder } from './retrieval/query-embedding-cache.js';
import { DEFAULT_FLOORS, SearchService } from './retrieval/search.service.js';
import type { Retriever, SearchExplainer } from './retrieval/search.types.js';
import { checkReadiness, type ReadinessReport } from './readiness.js';
import { consoleSessionAuth } from './http/admin-console/console-session.js';
import { createAccessGuard, type AccessGuard } from './security/access-guard.js';
import { AdminSessions } from './security/admin-sessions.js';
import { AuditedRetriever } from './security/audited-retriever.js';
import { ApiClientsRepository } from './security/api-clients.repository.js';
import { ApiClientsService } from './security/api-clients.service.js';
import { createDoctorIdentifier } from './security/doctor-identity.js';
import { createRateLimits } from './security/rate-limits.js';

/** Chunks per ingest batch on the embedded database (see IndexerDependencies.batchChunks). */
const EMBEDDED_BATCH_CHUNKS = 64;

/** Everything a running instance is made of; built once by `createServices`. */
export interface Services {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Database;
  store: KeyValueStore;
  migrations: MigrationFile[];
  embedder: Embedder;
  /** Search and module detection; record chunks are audited before they come back. */
  retriever: Retriever;
  /** The same search, explained (the admin console's search debug). */
  searchExplainer: SearchExplainer;
  ingest: IngestService;
  guard: AccessGuard;
  apiClients: ApiClientsService;
  adminSessions: AdminSessions;
  /** Chat, conversation memory and the answer cache. */
  chat: ChatServices;
  /** Reads the platform's record tables into the index (started by main when RECORDS_SYNC=on). */
  recordsSync: RecordsSyncService;
  readiness(): Promise<ReadinessReport>;
  close(): Promise<void>;
}

/**
 * The composition root: opens the database, brings its schema up to date or refuses to
 * go on, and wires every component. Throws when the service must not serve.
 */
export interface ServiceOptions {
  metrics?: Metrics;
  /** Empty the index when it was built with another embedding model (ingest --rebuild). */
  rebuildIndex?: boolean;
}

export async function createServices(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Services> {
  const db = await openDatabase(config.database, logger);
  try {
    const migrations = await readMigrationFiles();
    if (config.database.migrateOnStart) await migrate(db.pool, migrations, logger);
    assertSchemaCurrent(await migrationStatus(db.pool, migrations));
    await db.registerVectorTypes();

    const store = createKeyValueStore(config.redis, logger);
    const metrics = options.metrics ?? new Metrics();
    const embedder = new CachedQueryEmbedder(new MeteredEmbedder(await createEmbedder(config.openai, config.offlineEmbedder), metrics), store);
    if (options.rebuildIndex) await resetIndex(db.pool, embedder);
    else await ensureIndexState(db.pool, embedder);

    const floors = DEFAULT_FLOORS[config.openai ? 'openai' : config.offlineEmbedder];
    const search = new SearchService(
      db.pool,
      embedder,
      {
        evidence: {
          minSimilarity: config.search.minSimilarity ?? floors.minSimilarity,
          fixed: config.search.minSimilarity !== undefined,
        },
        moduleThreshold: config.search.moduleMatchThreshold ?? floors.moduleThreshold,
        vectorWeight: config.search.vectorWeight ?? floors.vectorWeight,
        lexicalWeight: config.search.lexicalWeight,
        efSearch: config.search.efSearch,
      },
      metrics,
    );
    const retriever = new AuditedRetriever(search, db.pool);
    const chat = await createChatServices({ config, logger, metrics, db, embedder, retriever });
    const jobs = new IngestJobs(db.pool, logger, metrics, { staleAfterMs: config.ingest.jobStaleSeconds * 1000 });
    const indexer: IndexerDependencies = {
      pool: db.pool,
      embedder,
      chunking: config.chunking,
      logger,
      // The embedded database is one session: every request waits while a batch is written
      // into the live HNSW graph. A default batch held requests past the connection timeout
      // on a busy machine (a job's status read answered 503 during the example re-index).
      ...(db.kind === 'embedded' ? { batchChunks: EMBEDDED_BATCH_CHUNKS } : {}),
    };
    const ingest = new IngestService(indexer, jobs, config.ingest.allowedRoots);
    const platformPool = config.recordsSync.databaseUrl ? openReadOnlyPool(config.recordsSync.databaseUrl, config.database, logger) : null;
    const recordsSync = new RecordsSyncService(indexer, platformPool ?? db.pool, config.recordsSync, metrics);
    const apiClients = new ApiClientsService(new ApiClientsRepository(db.pool));
    const adminSessions = new AdminSessions({ store, clients: apiClients, ttlSeconds: config.auth.adminSessionSeconds });
    const guard = createAccessGuard({
      clients: apiClients,
      identifyDoctor: createDoctorIdentifier(config.auth),
      rateLimits: createRateLimits(config.rateLimit, store),
      consoleSession: consoleSessionAuth(adminSessions),
    });

    return {
      config,
      logger,
      metrics,
      db,
      store,
      migrations,
      embedder,
      retriever,
      searchExplainer: search,
      ingest,
      guard,
      apiClients,
      adminSessions,
      chat,
      recordsSync,
      readiness: () => checkReadiness(db, store, migrations, () => recordsSync.health()),
      async close() {
        chat.close();
        await recordsSync.stop();
        await jobs.close();
        await Promise.allSettled([store.close(), db.close(), platformPool?.end()]);
      },
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
