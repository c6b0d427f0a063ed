import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { ensureDevelopmentClient } from '../../src/security/dev-client.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe('development API client of the embedded default', () => {
  let app: TestApp;
  let dir: string;
  let config: Config;
  beforeAll(async () => {
    app = await startTestApp('pglite');
    // The test app's own all-scopes client would count as "a client exists".
    await app.services.apiClients.revoke('test-all-scopes');
    dir = await mkdtemp(path.join(tmpdir(), 'dev-key-'));
    const base = app.services.config;
    config = { ...base, env: 'development', auth: { ...base.auth, devApiKeyFile: path.join(dir, 'nested', 'dev-api-key') } };
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const deps = (overrides: Partial<Config> = {}) => ({ config: { ...config, ...overrides }, clients: app.services.apiClients, logger: app.services.logger });

  it('when the service runs in production or on a real database, then no development client is created', async () => {
    const printed: string[] = [];
    expect(await ensureDevelopmentClient(deps({ env: 'production' }), (line) => printed.push(line))).toBeNull();
    expect(await ensureDevelopmentClient(deps({ env: 'test' }), (line) => printed.push(line))).toBeNull();
    const postgres: Config['database'] = { kind: 'postgres', url: 'postgres://x@127.0.0.1/x', poolMax: 1, connectTimeoutMs: 1000, statementTimeoutMs: 1000, migrateOnStart: false };
    expect(await ensureDevelopmentClient(deps({ database: postgres }), (line) => printed.push(line))).toBeNull();
    expect(printed).toEqual([]);
  });

  it('when the embedded database has no client, then one is created, printed once and saved 0600; it works; the next start creates none', async () => {
    const printed: string[] = [];
    const key = await ensureDevelopmentClient(deps(), (line) => printed.push(line));
    expect(key).toMatch(/^llm_[0-9a-f]{12}_/);
    expect(printed.join('\n')).toContain(key);
    const file = config.auth.devApiKeyFile;
    expect((await readFile(file, 'utf8')).trim()).toBe(key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(app.logs.text()).not.toContain(key!);

    const response = await fetch(`${app.baseUrl}/v1/admin/audit`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);

    expect(await ensureDevelopmentClient(deps(), (line) => printed.push(line))).toBeNull();
    expect(printed).toHaveLength(1);
  });
});
