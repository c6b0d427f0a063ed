import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ApiClientsService } from './api-clients.service.js';

export const DEV_CLIENT_NAME = 'development';

/**
 * Embedded default only: on the first start (no active client yet) creates a client with
 * every scope, prints its key once and keeps it in DEV_API_KEY_FILE (mode 0600), so that
 * `npm start` and the README's curl examples work out of the box. Never on a real
 * database and never outside NODE_ENV=development. Returns the key when one was created.
 */
export async function ensureDevelopmentClient(
  deps: { config: Config; clients: ApiClientsService; logger: Logger },
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<string | null> {
  const { config, clients, logger } = deps;
  if (config.database.kind !== 'embedded' || config.env !== 'development') return null;
  if (await clients.hasActiveClients()) return null;
  const { key } = await clients.create(DEV_CLIENT_NAME, ['chat', 'search', 'admin']);
  const file = config.auth.devApiKeyFile;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // `mode` only applies when the file is new
  // The key goes to the console once, never into the structured logs.
  print(`Development API key (scopes chat,search,admin), shown once and saved to ${file}:\n  ${key}`);
  logger.info({ client: DEV_CLIENT_NAME, file }, 'development API client created');
  return key;
}
