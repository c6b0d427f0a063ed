import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';
import { createServices, type Services } from '../../src/services.js';
import { checkContractOf, stopCheckingContractOf } from './contract.js';
import { createTestDatabase, type BackendName, type TestDatabase } from './services.js';

/** Captures every log line so tests can search them (PHI must never appear). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  services: Services;
  baseUrl: string;
  logs: LogCapture;
  database: TestDatabase;
  /** Key of a client with every scope (chat, search, admin), created at start. */
  apiKey: string;
  /** `Authorization` with apiKey, plus `X-Doctor-Id` when a doctor is given. */
  authHeaders(doctorId?: string): Record<string, string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Replaces parts of the real services before the app is built (e.g. a fake retriever). */
  customize?: (services: Services) => Promise<Services>;
  /** Rewrites the real database's URL the service connects with (e.g. through a TcpProxy). */
  mapDatabaseUrl?: (url: string) => string;
}

/** The real app on port 0 over a fresh database of the given backend; every response fetched from it is checked against its OpenAPI document. */
export async function startTestApp(
  backend: BackendName,
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const database = await createTestDatabase(backend);
  const databaseEnv =
    options.mapDatabaseUrl && database.env.DATABASE_URL
      ? { ...database.env, DATABASE_URL: options.mapDatabaseUrl(database.env.DATABASE_URL) }
      : database.env;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', INDEX_EXAMPLES_ON_START: 'false', ...databaseEnv, ...env });
  const logs = new LogCapture();
  const created = await createServices(config, createLogger(config.logLevel, logs), {
    metrics: new Metrics({ defaultMetrics: false }),
  });
  const services = options.customize ? await options.customize(created) : created;
  const server = createApp(services).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const { key: apiKey } = await services.apiClients.create('test-all-scopes', ['chat', 'search', 'admin']);
  const baseUrl = `http://127.0.0.1:${port}`;
  await checkContractOf(baseUrl);
  return {
    services,
    baseUrl,
    logs,
    database,
    apiKey,
    authHeaders: (doctorId) => ({ authorization: `Bearer ${apiKey}`, ...(doctorId ? { 'x-doctor-id': doctorId } : {}) }),
    async close() {
      stopCheckingContractOf(baseUrl);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      await database.drop();
    },
  };
}
