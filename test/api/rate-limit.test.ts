import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../src/cache/redis-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CLOSED_PORT, realRedisUrl, uniqueRedisPrefix } from '../support/services.js';

const LIMITS = { RATE_LIMIT_CLIENT_PER_MINUTE: '6', RATE_LIMIT_DOCTOR_PER_MINUTE: '2' };

const redisUrl = realRedisUrl();
const stores: [string, Record<string, string>][] = [
  ['in-process limits', {}],
  ...(redisUrl ? [['Redis limits', { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniqueRedisPrefix() }] as [string, Record<string, string>]] : []),
  // Redis configured but down: the in-memory insurance limiter takes over.
  ['Redis down', { REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}`, REDIS_COMMAND_TIMEOUT_MS: '200' }],
];

describe.each(stores)('rate limits with %s', (_name, env) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite', { ...env, ...LIMITS });
  });
  afterAll(() => app.close());

  // A search-scope route (doctor-limited) that needs nothing indexed.
  const detect = (headers: Record<string, string>) =>
    fetch(`${app.baseUrl}/v1/modules/detect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ question: 'how do I book?' }),
    });
  const audit = (headers: Record<string, string>) => fetch(`${app.baseUrl}/v1/admin/audit`, { headers });
  const newClient = async () => {
    const { key } = await app.services.apiClients.create(`client-${randomUUID().slice(0, 8)}`, ['search', 'admin']);
    return { authorization: `Bearer ${key}` };
  };

  it('when a doctor exceeds their budget, then 429 rate_limited with Retry-After, while another doctor of the same client goes on', async () => {
    const client = await newClient();
    const doctorA = { ...client, 'x-doctor-id': randomUUID() };
    expect((await detect(doctorA)).status).toBe(200);
    expect((await detect(doctorA)).status).toBe(200);
    const limited = await detect(doctorA);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await limited.json()) as { code: string }).code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    expect((await detect({ ...client, 'x-doctor-id': randomUUID() })).status).toBe(200);
  });

  it('when a client exceeds its budget, then 429 on every route but health, whatever the doctor', async () => {
    const client = await newClient();
    for (let i = 0; i < 6; i += 1) expect((await audit(client)).status).toBe(200);
    const limited = await audit(client);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await detect({ ...client, 'x-doctor-id': randomUUID() })).status).toBe(429);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });

  it('when one client is limited, then another client is not', async () => {
    const first = await newClient();
    for (let i = 0; i < 7; i += 1) await audit(first);
    expect((await audit(first)).status).toBe(429);
    expect((await audit(await newClient())).status).toBe(200);
  });

  it('when the doctor limit is spent on admin routes, then it is not (only chat and search count per doctor)', async () => {
    const client = await newClient();
    const doctor = randomUUID();
    for (let i = 0; i < 3; i += 1) expect((await audit({ ...client, 'x-doctor-id': doctor })).status).toBe(200);
    expect((await detect({ ...client, 'x-doctor-id': doctor })).status).toBe(200);
  });

});

describe.runIf(redisUrl)('rate limits in Redis', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite', { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: uniqueRedisPrefix(), ...LIMITS });
  });
  afterAll(() => app.close());

  it('when Redis is up, then the counters live in Redis (shared by instances)', async () => {
    const { key, client } = await app.services.apiClients.create('redis-counted', ['admin']);
    expect((await fetch(`${app.baseUrl}/v1/admin/audit`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const store = app.services.store as RedisStore;
    expect(await store.client.exists(`rl:client:${client.id}`)).toBe(1);
  });
});
