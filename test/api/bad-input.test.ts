import { brotliCompressSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

interface Operation {
  method: string;
  path: string;
}

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

/** JSON nested `depth` levels: arrays, objects, or both in turn. */
const nested = (depth: number, kind: 'array' | 'object' | 'mixed'): string => {
  const open = (level: number) => (kind === 'array' || (kind === 'mixed' && level % 2 === 0) ? '[' : '{"a":');
  const close = (level: number) => (open(level) === '[' ? ']' : '}');
  let text = '1';
  for (let level = depth - 1; level >= 0; level--) text = `${open(level)}${text}${close(level)}`;
  return text;
};

// A path segment as a client may send it: percent-encoding that does not decode, or does.
const MALFORMED_SEGMENTS = ['%', '%E0%A4%A', '%ff', '%zz', '%%', '%c0%af', '%ED%A0%80', 'a%2', '%u0041'];
const pathSegment = fc.oneof(
  printable(40).map((text) => encodeURIComponent(text)),
  fc.constantFrom(...MALFORMED_SEGMENTS),
  fc.tuple(printable(10), fc.constantFrom(...MALFORMED_SEGMENTS)).map(([text, bad]) => `${encodeURIComponent(text)}${bad}`),
);

/** A body as bytes on the wire: JSON, text, garbage, deep nesting, or compressed (rightly or not). */
const wireBody = fc.oneof(
  { weight: 4, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 2, arbitrary: printable(200) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 20, max: 9_000 }), fc.constantFrom('array', 'object', 'mixed')).map(([depth, kind]) => nested(depth, kind)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const contentEncoding = fc.option(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'zstd', 'gzip, br', 'x-bogus', 'GZIP'), { freq: 3 });

/** Sometimes compresses the body as the header says (so the inflated body is what gets tested). */
function encode(body: string | Buffer, encoding: string | null, honest: boolean): string | Buffer {
  if (!honest || encoding === null) return body;
  if (encoding.toLowerCase() === 'gzip') return gzipSync(body);
  if (encoding === 'br') return brotliCompressSync(body);
  return body;
}

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
        fc.record({ operation: fc.constantFrom(...operations), param: pathSegment }).map(({ operation, param }) => ({
          method: operation.method,
          path: operation.path.replace(/\{\w+\}/g, param),
        })),
        fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), path: fc.webPath() }),
      ),
      query: fc.dictionary(printable(12), printable(30), { maxKeys: 4 }),
      body: wireBody,
      contentEncoding,
      honestEncoding: fc.boolean(),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'text/plain', undefined),
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
        if (input.contentEncoding !== null) headers['content-encoding'] = input.contentEncoding;
        if (input.authorization) headers.authorization = input.authorization === 'valid' ? `Bearer ${app.apiKey}` : input.authorization;
        if (input.doctorId !== null) headers['x-doctor-id'] = input.doctorId;
        if (input.doctorToken !== null) headers['x-doctor-token'] = input.doctorToken;
        if (input.purpose !== null) headers['x-doctor-purpose'] = input.purpose;
        if (input.requestId !== null) headers['x-request-id'] = input.requestId;
        // Concatenated, not resolved: a generated `//x` path must stay a path, not become a host.
        const url = new URL(`${app.baseUrl}/${input.target.path.replace(/^\//, '')}`);
        for (const [name, value] of Object.entries(input.query)) url.searchParams.append(name, value);
        const hasBody = input.body !== undefined && input.target.method !== 'GET';
        const raw = typeof input.body === 'string' || Buffer.isBuffer(input.body) ? input.body : JSON.stringify(input.body);
        const response = await fetch(url, {
          method: input.target.method,
          headers,
          ...(hasBody ? { body: encode(raw, input.contentEncoding, input.honestEncoding) } : {}),
        });
        const text = await response.text();
        expect(response.status, `${input.target.method} ${url.pathname} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(JSON.parse(text)).toMatchObject({ status: response.status, code: expect.any(String) });
        }
      }),
      // A few thousand requests, about 10 s here: most are refused before any route runs.
      { numRuns: 2_500 },
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
  it('when JSON nests ~8,000 levels deep on any POST route, then 400 nesting_too_deep, not a stack overflow', async () => {
    const posts = operations.filter((operation) => operation.method === 'POST');
    expect(posts.length).toBeGreaterThan(3);
    for (const operation of posts) {
      for (const body of [nested(8_000, 'object'), nested(8_000, 'array'), `{"message":${nested(8_000, 'mixed')}}`]) {
        const response = await fetch(`${app.baseUrl}${operation.path}`, {
          method: 'POST',
          headers: { ...app.authHeaders('5b0c6b1e-8f7a-4c2e-9d3f-0a1b2c3d4e5f'), 'content-type': 'application/json' },
          body,
        });
        expect(response.status, `${operation.path} ${body.slice(0, 12)}`).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await response.json()).toMatchObject({ code: 'nesting_too_deep' });
      }
    }
    // Nesting a schema allows is not refused for its depth.
    const shallow = await fetch(`${app.baseUrl}/v1/search`, {
      method: 'POST',
      headers: { ...app.authHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'asthma', filters: { modules: ['settings'] } }),
    });
    expect(shallow.status).toBe(200);
  });

  it.each(['/v1/conversations/%E0%A4%A', '/v1/conversations/%', '/v1/conversations/%ff', '/v1/admin/jobs/%E0%A4%A'])(
    'when a path parameter is malformed percent-encoding (%s), then 400 malformed_path, with or without a key',
    async (path) => {
      for (const headers of [{}, app.authHeaders('5b0c6b1e-8f7a-4c2e-9d3f-0a1b2c3d4e5f')]) {
        for (const method of ['GET', 'DELETE']) {
          const response = await fetch(`${app.baseUrl}${path}`, { method, headers });
          expect(response.status, `${method} ${path}`).toBe(400);
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(await response.json()).toMatchObject({ status: 400, code: 'malformed_path' });
        }
      }
    },
  );

  it.each<[string, string, string | Buffer]>([
    ['gzip with garbage', 'gzip', 'this is not gzip at all'],
    ['br on plain JSON', 'br', JSON.stringify({ query: 'asthma' })],
    ['deflate with garbage', 'deflate', 'xx'],
    ['gzip cut short', 'gzip', gzipSync(JSON.stringify({ query: 'asthma' })).subarray(0, 12)],
  ])('when the body is %s, then 400 malformed_body, with or without a key', async (_name, encoding, body) => {
    for (const auth of [{}, app.authHeaders('5b0c6b1e-8f7a-4c2e-9d3f-0a1b2c3d4e5f')]) {
      const response = await fetch(`${app.baseUrl}/v1/search`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'content-encoding': encoding },
        body,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 400, code: 'malformed_body' });
    }
    // A body compressed as its header says is read as any other.
    const good = await fetch(`${app.baseUrl}/v1/search`, {
      method: 'POST',
      headers: { ...app.authHeaders(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ query: 'asthma' })),
    });
    expect(good.status).toBe(200);
  });
});
