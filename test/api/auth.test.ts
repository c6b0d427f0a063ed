import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClientsRepository } from '../../src/security/api-clients.repository.js';
import { VERIFIED_KEY_TTL_MS } from '../../src/security/api-clients.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseBackends } from '../support/services.js';

interface ProblemBody {
  code: string;
  status: number;
  detail: string;
}

// A `search`-scope route whose handler needs nothing indexed, so these tests see the guard only.
const SEARCH = { method: 'POST', path: '/v1/modules/detect', body: { question: 'how do I book an appointment?' } };
const AUDIT = { method: 'GET', path: '/v1/admin/audit' };

async function call(
  app: TestApp,
  route: { method: string; path: string; body?: unknown },
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string | null; body: ProblemBody; headers: Headers }> {
  const response = await fetch(`${app.baseUrl}${route.path}`, {
    method: route.method,
    headers: { ...(route.body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as ProblemBody,
    headers: response.headers,
  };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe.each(databaseBackends())('API keys and scopes on %s', (backend) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(backend);
  });
  afterAll(() => app.close());

  it.each([SEARCH, AUDIT])('when no credential is sent to $path, then 401 unauthenticated as problem+json', async (route) => {
    const response = await call(app, route);
    expect(response.status).toBe(401);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="llm-assistant"');
  });

  it.each(['/healthz', '/readyz', '/metrics', '/openapi.json'])('when %s is called without a credential, then it answers 200', async (path) => {
    expect((await fetch(`${app.baseUrl}${path}`)).status).toBe(200);
  });

  it.each([
    ['a malformed key', 'Bearer not-a-key'],
    ['a well-formed unknown key', `Bearer llm_0123456789ab_${'A'.repeat(43)}`],
    ['the right key with one character changed', 'CHANGED'],
    ['another scheme', 'BASIC'],
  ])('when %s is sent, then 401 unauthenticated', async (_name, authorization) => {
    const value =
      authorization === 'CHANGED'
        ? `Bearer ${app.apiKey.slice(0, -1)}${app.apiKey.endsWith('A') ? 'B' : 'A'}`
        : authorization === 'BASIC'
          ? `Basic ${Buffer.from(`x:${app.apiKey}`).toString('base64')}`
          : authorization;
    const response = await call(app, AUDIT, { authorization: value });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('unauthenticated');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('when a valid key with the scope is sent, then the route answers', async () => {
    expect((await call(app, AUDIT, app.authHeaders())).status).toBe(200);
    expect((await call(app, SEARCH, app.authHeaders(randomUUID()))).status).toBe(200);
  });

  it('when a key is revoked, then the very next request with it is 401', async () => {
    const { key } = await app.services.apiClients.create('soon-revoked', ['admin']);
    expect((await call(app, AUDIT, bearer(key))).status).toBe(200);
    await app.services.apiClients.revoke('soon-revoked');
    const response = await call(app, AUDIT, bearer(key));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('unauthenticated');
  });

  it('when a key is revoked by another process (the clients CLI), then it stops working within VERIFIED_KEY_TTL_MS', async () => {
    const { key } = await app.services.apiClients.create('revoked-elsewhere', ['admin']);
    expect((await call(app, AUDIT, bearer(key))).status).toBe(200);
    // Straight in the database, as the CLI's own process does: this service's memory is not told.
    await new ApiClientsRepository(app.services.db.pool).revoke('revoked-elsewhere');
    await new Promise((resolve) => setTimeout(resolve, VERIFIED_KEY_TTL_MS + 50));
    expect((await call(app, AUDIT, bearer(key))).status).toBe(401);
  });

  it('when a revoked name is issued again, then only the new key works', async () => {
    const { key: old } = await app.services.apiClients.create('rotated', ['admin']);
    await app.services.apiClients.revoke('rotated');
    const { key: fresh } = await app.services.apiClients.create('rotated', ['admin']);
    expect((await call(app, AUDIT, bearer(old))).status).toBe(401);
    expect((await call(app, AUDIT, bearer(fresh))).status).toBe(200);
  });

  it('when an active name is issued twice, then the second create is a 409 client_exists', async () => {
    await app.services.apiClients.create('unique-app', ['chat']);
    await expect(app.services.apiClients.create('unique-app', ['chat'])).rejects.toMatchObject({ status: 409, code: 'client_exists' });
  });

  it('when the key lacks the route scope, then 403 forbidden', async () => {
    const { key: searchOnly } = await app.services.apiClients.create('search-only', ['search']);
    const { key: adminOnly } = await app.services.apiClients.create('admin-only', ['admin']);
    const audit = await call(app, AUDIT, bearer(searchOnly));
    expect(audit.status).toBe(403);
    expect(audit.contentType).toMatch(/^application\/problem\+json/);
    expect(audit.body.code).toBe('forbidden');
    expect((await call(app, SEARCH, bearer(adminOnly))).status).toBe(403);
    expect((await call(app, SEARCH, bearer(searchOnly))).status).toBe(200);
  });

  it('when the database stores a client, then only the key hash is there, never the key', async () => {
    const { key, client } = await app.services.apiClients.create('hash-only', ['chat']);
    const { rows } = await app.services.db.pool.query<Record<string, unknown>>(
      'SELECT * FROM llm_assistant.api_clients WHERE id = $1',
      [client.id],
    );
    const secret = key.slice('llm_'.length + client.keyPrefix.length + 1); // may itself contain '_'
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when X-Doctor-Id is not a uuid, then 400 invalid_doctor_id', async () => {
    const response = await call(app, SEARCH, { ...app.authHeaders(), 'x-doctor-id': 'doctor-7' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_doctor_id');
  });

  it('when a doctor token is sent but no signing key is configured, then 401 invalid_doctor_token', async () => {
    const response = await call(app, SEARCH, { ...app.authHeaders(), 'x-doctor-token': 'a.b.c' });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_doctor_token');
  });

  it('when the OpenAPI document is generated, then protected routes require the bearer apiKey (admin ones or the console session) and operations routes nothing', async () => {
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    expect(document.paths['/v1/search']!.post!.security).toEqual([{ apiKey: [] }]);
    expect(document.paths['/v1/admin/audit']!.get!.security).toEqual([{ apiKey: [] }, { consoleSession: [] }]);
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) expect(document.paths[path]!.get!.security).toEqual([]);
  });
});

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';
const ISSUER = 'https://main-app.test';
const AUDIENCE = 'llm-assistant';

function hs256(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: string | number; issuer?: string; audience?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('signed doctor tokens (HS256)', () => {
  let app: TestApp;
  const doctorId = randomUUID();
  beforeAll(async () => {
    app = await startTestApp('pglite', { AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE });
  });
  afterAll(() => app.close());

  const withToken = (token: string, extra: Record<string, string> = {}) => ({ ...app.authHeaders(), 'x-doctor-token': token, ...extra });

  it('when a valid token is sent, then the request is served', async () => {
    const response = await call(app, SEARCH, withToken(await hs256({ sub: doctorId, purpose: 'consultation' })));
    expect(response.status).toBe(200);
  });

  it('when a signing key is configured and only X-Doctor-Id is sent, then 401 doctor_token_required', async () => {
    const response = await call(app, SEARCH, app.authHeaders(doctorId));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('doctor_token_required');
  });

  it('when no doctor is named at all, then the request is served (documentation only)', async () => {
    expect((await call(app, SEARCH, app.authHeaders())).status).toBe(200);
  });

  it.each([
    ['signed with another secret', () => hs256({ sub: doctorId }, { secret: 'another-secret-that-is-also-long-enough!!' })],
    ['expired', () => hs256({ sub: doctorId }, { expiresIn: Math.floor(Date.now() / 1000) - 120 })],
    ['from another issuer', () => hs256({ sub: doctorId }, { issuer: 'https://elsewhere.test' })],
    ['for another audience', () => hs256({ sub: doctorId }, { audience: 'someone-else' })],
    ['without a uuid subject', () => hs256({ sub: 'admin' })],
    ['unsigned (alg none)', () => Promise.resolve(unsecuredJwt({ sub: doctorId, iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 }))],
    ['garbage', () => Promise.resolve('not.a.token')],
  ])('when the token is %s, then 401 invalid_doctor_token', async (_name, token) => {
    const response = await call(app, SEARCH, withToken(await token()));
    expect(response.status).toBe(401);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('invalid_doctor_token');
  });

  it('when the token is expired, then the detail says so', async () => {
    const response = await call(app, SEARCH, withToken(await hs256({ sub: doctorId }, { expiresIn: Math.floor(Date.now() / 1000) - 120 })));
    expect(response.body.detail).toMatch(/expired/);
  });

  it('when X-Doctor-Id names another doctor than the token, then 401 doctor_mismatch', async () => {
    const response = await call(app, SEARCH, withToken(await hs256({ sub: doctorId }), { 'x-doctor-id': randomUUID() }));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('doctor_mismatch');
  });
});

describe('signed doctor tokens (JWKS)', () => {
  const JWKS_HOST = 'http://idp.local';
  const JWKS_PATH = '/.well-known/jwks.json';
  let app: TestApp;
  let privateKey: CryptoKey;
  const doctorId = randomUUID();

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    nock(JWKS_HOST).get(JWKS_PATH).reply(200, { keys: [jwk] }).persist();
    app = await startTestApp('pglite', { AUTH_JWKS_URL: `${JWKS_HOST}${JWKS_PATH}`, AUTH_JWT_AUDIENCE: AUDIENCE });
  });
  afterAll(async () => {
    nock.cleanAll();
    await app.close();
  });

  const rs256 = (key: CryptoKey, claims: Record<string, unknown>, kid = 'key-1') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setAudience(AUDIENCE).setExpirationTime('5m').sign(key);

  it('when the token is signed by a key of the JWKS, then the request is served', async () => {
    const response = await call(app, SEARCH, { ...app.authHeaders(), 'x-doctor-token': await rs256(privateKey, { sub: doctorId }) });
    expect(response.status).toBe(200);
  });

  it('when the token is signed by another key under the same kid, then 401', async () => {
    const forger = await generateKeyPair('RS256');
    const response = await call(app, SEARCH, { ...app.authHeaders(), 'x-doctor-token': await rs256(forger.privateKey, { sub: doctorId }) });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_doctor_token');
  });

  it('when the token names a kid the JWKS does not have, then 401', async () => {
    const response = await call(app, SEARCH, {
      ...app.authHeaders(),
      'x-doctor-token': await rs256(privateKey, { sub: doctorId }, 'unknown-kid'),
    });
    expect(response.status).toBe(401);
  });

  it('when the token is HS256 (only asymmetric algorithms come from a JWKS), then 401', async () => {
    const token = await new SignJWT({ sub: doctorId })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    const response = await call(app, SEARCH, { ...app.authHeaders(), 'x-doctor-token': token });
    expect(response.status).toBe(401);
  });

  it('when only X-Doctor-Id is sent, then 401 doctor_token_required', async () => {
    expect((await call(app, SEARCH, app.authHeaders(doctorId))).body.code).toBe('doctor_token_required');
  });
});

describe('JWKS endpoint down', () => {
  let app: TestApp;
  beforeAll(async () => {
    nock('http://idp-down.local').get('/jwks.json').reply(500, 'boom').persist();
    app = await startTestApp('pglite', { AUTH_JWKS_URL: 'http://idp-down.local/jwks.json' });
  });
  afterAll(async () => {
    nock.cleanAll();
    await app.close();
  });

  it('when the key set cannot be fetched, then 503 jwks_unavailable (retry later), not 401 or 500', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ sub: randomUUID() }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setExpirationTime('5m').sign(privateKey);
    const response = await call(app, SEARCH, { ...app.authHeaders(), 'x-doctor-token': token });
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('jwks_unavailable');
  });
});

function unsecuredJwt(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}
