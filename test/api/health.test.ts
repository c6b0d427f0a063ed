import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CLOSED_PORT, databaseBackends, realRedisUrl, uniqueRedisPrefix } from '../support/services.js';

describe.each(databaseBackends())('health and errors on %s', (backend) => {
  let app: TestApp;
  const redisUrl = realRedisUrl();

  beforeAll(async () => {
    app = await startTestApp(backend, redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniqueRedisPrefix() } : {});
  });
  afterAll(() => app.close());

  it('when /healthz is called, then it answers ok without touching dependencies', async () => {
    const response = await fetch(`${app.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ status: 'ok' });
  });

  it('when the database and schema are fine, then /readyz is ready and reports each check', async () => {
    const response = await fetch(`${app.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.status).toBe('ready');
    expect(body.checks.database).toMatchObject({ status: 'up', kind: backend === 'pglite' ? 'embedded' : 'postgres' });
    expect(body.checks.schema).toMatchObject({ status: 'current', pending: [] });
    expect(body.checks.redis).toMatchObject(redisUrl ? { status: 'up', kind: 'redis' } : { status: 'disabled', kind: 'memory' });
  });

  it('when a route does not exist, then the answer is a 404 problem with the request id', async () => {
    const response = await fetch(`${app.baseUrl}/v1/nothing-here`, { headers: { 'X-Request-Id': 'req-123' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-request-id')).toBe('req-123');
    expect(await readJson(response)).toEqual({
      type: 'urn:llm-assistant:problem:not_found',
      title: 'Not Found',
      status: 404,
      detail: 'No route for GET /v1/nothing-here.',
      code: 'not_found',
      requestId: 'req-123',
      instance: '/v1/nothing-here',
    });
  });

  it('when the body is malformed JSON, then the answer is 400 malformed_json, not 500', async () => {
    const response = await fetch(`${app.baseUrl}/v1/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"message": ',
    });
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body).toMatchObject({ code: 'malformed_json', status: 400 });
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('when no request id is sent, then one is generated and returned', async () => {
    const response = await fetch(`${app.baseUrl}/healthz`);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when /openapi.json is fetched, then it is an OpenAPI 3.1 document generated from the route schemas', async () => {
    const document = await readJson(await fetch(`${app.baseUrl}/openapi.json`));
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/readyz'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Readiness',
    );
    expect(document.components.schemas.Problem).toBeDefined();
  });

  it('when /metrics is scraped, then request counts by route are there', async () => {
    const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^llm_assistant_http_requests_total\{method="GET",route="\/readyz",status="200"\}/m);
  });
});

describe('readiness with Redis down', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite', { REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}`, REDIS_COMMAND_TIMEOUT_MS: '200' });
  });
  afterAll(() => app.close());

  it('when Redis is unreachable, then /readyz says degraded (still serving) and names Redis', async () => {
    const response = await fetch(`${app.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.status).toBe('degraded');
    expect(body.checks.redis).toMatchObject({ status: 'down', kind: 'redis' });
  });
});
