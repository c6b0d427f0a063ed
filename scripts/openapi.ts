/**
 * The service's OpenAPI document for tools that read files.
 *   tsx scripts/openapi.ts document <file>   the document as GET /openapi.json serves it (npm run lint:openapi lints it)
 *   tsx scripts/openapi.ts types <file>      the typed client's schema types (npm run clients:types)
 * The document comes from the real app over an in-memory embedded database, so it cannot
 * drift from what the service serves; a client test fails when the committed types do.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { Metrics } from '../src/metrics.js';
import { createServices } from '../src/services.js';

const TYPES_HEADER = '// Generated from the service\'s OpenAPI document by `npm run clients:types`; do not edit.\n\n';

/** The client's schema types (openapi-typescript) for an OpenAPI document. */
export async function clientSchemaTypes(document: unknown): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { alphabetize: true });
  return TYPES_HEADER + astToString(ast);
}

/** GET /openapi.json of the app built over an in-memory database that indexes nothing. */
async function serviceDocument(): Promise<unknown> {
  const config = loadConfig({ EMBEDDED_DATA_DIR: 'memory://', OFFLINE_EMBEDDER: 'hashing', INDEX_EXAMPLES_ON_START: 'false', LOG_LEVEL: 'warn' });
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const services = await createServices(config, createLogger(config.logLevel, silent), { metrics: new Metrics({ defaultMetrics: false }) });
  const server = createApp(services).listen(0, '127.0.0.1');
  try {
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/openapi.json`);
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    return await response.json();
  } finally {
    server.close();
    await services.close();
  }
}

async function main([command, file]: string[]): Promise<void> {
  if ((command !== 'document' && command !== 'types') || !file) {
    console.error('usage: tsx scripts/openapi.ts document|types <file>');
    process.exit(2);
  }
  const document = await serviceDocument();
  const text = command === 'document' ? `${JSON.stringify(document, null, 2)}\n` : await clientSchemaTypes(document);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
