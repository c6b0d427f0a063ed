import type { Server } from 'node:http';
import { loadConfigFromProcess, type Config } from './config.js';
import { ConfigError, OperatorError } from './errors.js';
import { createApp } from './http/app.js';
import { createLogger, type Logger } from './logger.js';
import { ensureDevelopmentClient } from './security/dev-client.js';
import { createServices, type Services } from './services.js';

/** Starts the service: config -> database (+ migrations check) -> app -> listen. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfigFromProcess();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  installCrashHandlers(logger);

  let services: Services;
  try {
    services = await createServices(config, logger);
  } catch (error) {
    // Refusals with a message that says what to do; anything else is a crash with a stack.
    if (error instanceof OperatorError) {
      logger.fatal({ err: error }, 'refusing to serve');
      console.error(error.message);
      process.exit(3);
    }
    throw error;
  }
  await indexExamplesOnFirstStart(services);
  await ensureDevelopmentClient({ config, clients: services.apiClients, logger });
  await logNextSteps(services);

  const server = createApp(services).listen(config.http.port, config.http.host);
  server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    // A port in use or not allowed: the system's message says which (logger.ts keeps it).
    logger.fatal({ err: error, host: config.http.host, port: config.http.port }, 'refusing to serve: cannot listen');
    console.error(`Cannot listen on ${config.http.host}:${config.http.port}: ${(error as Error).message}`);
    await services.close().catch(() => undefined);
    process.exit(3);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info({ host: config.http.host, port, database: services.db.kind, cache: services.store.kind }, 'listening');
  installShutdown(server, services, logger);
  services.recordsSync.start();
}

/** Whether any documentation is indexed. */
async function hasDocumentation(services: Services): Promise<boolean> {
  const { rows } = await services.db.pool.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM llm_assistant.sources WHERE source_kind = 'doc') AS any`,
  );
  return rows[0]?.any === true;
}

/** A real database starts with no key and an empty index: say what to do next instead of nothing. */
async function logNextSteps(services: Services): Promise<void> {
  const { logger } = services;
  if (!(await services.apiClients.hasActiveClients())) {
    logger.warn('no API key exists: create one with `npm run clients -- create <name> --scopes chat,search,admin`');
  }
  if (!(await hasDocumentation(services))) {
    logger.warn('no documentation is indexed: run `npm run ingest -- docs <folder>` or POST /v1/admin/reindex');
  }
}

/**
 * The embedded default serves the example documentation from its first start. Later
 * starts leave the index alone (re-index with `npm run ingest` or the admin API).
 */
async function indexExamplesOnFirstStart(services: Services): Promise<void> {
  const { config, logger } = services;
  if (!config.examples.indexOnStart) return;
  if (await hasDocumentation(services)) return;
  logger.info({ dir: config.examples.dir }, 'indexing the example documentation (first start)');
  const { job, summary } = await services.ingest.reindex({ path: config.examples.dir }, 'first-start');
  if (job.state !== 'succeeded' || !summary) {
    logger.warn({ jobId: job.id, error: job.error }, 'example documentation could not be indexed');
    return;
  }
  logger.info(
    { documents: summary.documents.added, chunks: summary.chunks.added, ms: summary.ms, embedder: services.embedder.model },
    'example documentation indexed',
  );
}

/**
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish (bounded by
 * SHUTDOWN_TIMEOUT_MS), then close the pool and Redis.
 */
function installShutdown(server: Server, services: Services, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing connections');
      server.closeAllConnections();
    }, services.config.http.shutdownTimeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      services
        .close()
        .then(() => {
          logger.info('stopped');
          process.exit(0);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'error while closing');
          process.exit(1);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** A stray rejection is logged, not fatal: no request handler may take the process down. */
function installCrashHandlers(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });
}

await main();
