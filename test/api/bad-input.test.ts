import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

interface Operation {
  method: string;
  path: string;
}

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

describe('generated bad input against every route', () => {
  let app: TestApp;
  let operations: Operation[];
  beforeAll(async () => {
    // High limits: this test is about input handling, not rate limiting.
    app = await startTestApp('pglite', { RATE_LIMIT_CLIENT_PER_MINUTE: '100000', RATE_LIMIT_DOCTOR_PER_MINUTE: '100000', LOG_LEVEL: 'warn' });
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
  });
  afterAll(() => app.close());

  it('when routes get random bodies, headers, queries and paths, then no answer is a 5xx and every error is problem+json', async () => {
    expect(operations.length).toBeGreaterThan(3);
    const request = fc.record({
      target: fc.oneof(
        fc.record({ operation: fc.constantFrom(...operations), param: printable(40) }).map(({ operation, param }) => ({
          method: operation.method,
          path: operation.path.replace(/\{\w+\}/g, encodeURIComponent(param)),
        })),
        fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), path: fc.webPath() }),
      ),
      query: fc.dictionary(printable(12), printable(30), { maxKeys: 4 }),
      body: fc.oneof(fc.json({ maxDepth: 3 }), printable(200), fc.constant(undefined)),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', undefined),
      authorization: fc.oneof(fc.constant('valid'), fc.constant(undefined), printable(80)),
      doctorId: fc.option(fc.oneof(fc.uuid(), printable(40))),
      doctorToken: fc.option(printable(120)),
      purpose: fc.option(printable(250)),
      requestId: fc.option(printable(140)),
    });

    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const headers: Record<string, string> = {};
        if (input.contentType) headers['content-type'] = input.contentType;
        if (input.authorization) headers.authorization = input.authorization === 'valid' ? `Bearer ${app.apiKey}` : input.authorization;
        if (input.doctorId !== null) headers['x-doctor-id'] = input.doctorId;
        if (input.doctorToken !== null) headers['x-doctor-token'] = input.doctorToken;
        if (input.purpose !== null) headers['x-doctor-purpose'] = input.purpose;
        if (input.requestId !== null) headers['x-request-id'] = input.requestId;
        // Concatenated, not resolved: a generated `//x` path must stay a path, not become a host.
        const url = new URL(`${app.baseUrl}/${input.target.path.replace(/^\//, '')}`);
        for (const [name, value] of Object.entries(input.query)) url.searchParams.append(name, value);
        const hasBody = input.body !== undefined && input.target.method !== 'GET';
        const response = await fetch(url, {
          method: input.target.method,
          headers,
          ...(hasBody ? { body: typeof input.body === 'string' ? input.body : JSON.stringify(input.body) } : {}),
        });
        const text = await response.text();
        expect(response.status, `${input.target.method} ${url.pathname} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(JSON.parse(text)).toMatchObject({ status: response.status, code: expect.any(String) });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('when text holds what PostgreSQL text cannot store (U+0000, half of a surrogate pair), then 400 naming where, and the service keeps answering', async () => {
    const doctor = app.authHeaders('5b0c6b1e-8f7a-4c2e-9d3f-0a1b2c3d4e5f');
    const post = (path: string, body: unknown) =>
      fetch(`${app.baseUrl}${path}`, { method: 'POST', headers: { ...doctor, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const cases: [string, unknown, string][] = [
      ['/v1/chat', { message: 'what is\u0000 asthma' }, 'message'],
      ['/v1/chat', { message: 'asthma', modules: ['ok', 'a\u0000b'] }, 'modules.1'],
      ['/v1/search', { query: 'asthma', filters: { 'x\u0000': 1 } }, 'filters.x\u0000'],
      ['/v1/chat', { message: 'what is asthma \ud800' }, 'message'],
      ['/v1/search', { query: 'asthma \udc00 attack' }, 'query'],
    ];
    for (const [path, body, at] of cases) {
      const response = await post(path, body);
      expect(response.status, `${path} ${at}`).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ path: at, message: 'must not contain U+0000 or an unpaired surrogate' }],
      });
    }
    // A well-formed pair (an emoji) is text like any other.
    expect((await post('/v1/search', { query: 'asthma \ud83d\ude00' })).status).toBe(200);
    expect((await post('/v1/chat', { message: 'what is asthma' })).status).toBe(200);
  });
});
