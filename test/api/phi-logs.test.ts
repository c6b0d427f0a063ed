import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startTestApp, LogCapture, type TestApp } from '../support/app.js';
import { expectNoPhiInLogs } from '../support/phi.js';

// Patient-like data no code path may log (synthetic, no real person).
const NAME = 'Marguerite Okonkwo-Delacroix';
const PHI = [NAME, 'Marguerite', 'Okonkwo', 'penicillin anaphylaxis'];

describe('PHI-safe logs', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite', { LOG_LEVEL: 'trace', BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => app.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...app.authHeaders(randomUUID()), ...headers }, body });

  it('when requests carry a patient name in bodies, queries and headers, on success and error paths, then no log line contains it', async () => {
    const question = `Does ${NAME} have a penicillin anaphylaxis history?`;
    const statuses = [
      (await post('/v1/search', JSON.stringify({ query: question }))).status,
      (await post('/v1/modules/detect', JSON.stringify({ question }))).status,
      (await post('/v1/modules/detect', JSON.stringify({ question, [NAME]: 'unknown field' }))).status,
      (await post('/v1/modules/detect', `{"question": "${NAME}`)).status,
      (await post('/v1/modules/detect', JSON.stringify({ question: `${question} ${'x'.repeat(3000)}` }))).status,
      (await post('/v1/modules/detect', JSON.stringify({ question }), { 'x-doctor-purpose': `reviewing ${NAME}` })).status,
      (await post('/v1/modules/detect', JSON.stringify({ question }), { 'x-doctor-id': NAME.replace(' ', '-') })).status,
      (await fetch(`${app.baseUrl}/v1/admin/audit?patientId=${encodeURIComponent(NAME)}`, { headers: app.authHeaders() })).status,
      (await fetch(`${app.baseUrl}/v1/${encodeURIComponent(NAME)}`)).status,
    ];
    // The error paths were really taken: validation, malformed JSON, too large, bad header, not found.
    expect(statuses).toEqual(expect.arrayContaining([400, 413, 404]));
    expectNoPhiInLogs(app.logs, PHI);
  });

  it('when a request completes, then its log line names the route pattern and status, not the URL', async () => {
    const response = await fetch(`${app.baseUrl}/v1/admin/audit?patientId=${randomUUID()}`, { headers: app.authHeaders() });
    const id = response.headers.get('x-request-id');
    const line = app.logs.lines.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => (entry.req as { id?: string } | undefined)?.id === id && entry.msg === 'request completed');
    expect(line).toMatchObject({ req: { id, method: 'GET' }, res: { status: 200 }, route: '/v1/admin/audit' });
    expect(JSON.stringify(line)).not.toContain('patientId');
  });

  it('when a request is rejected, then its rejection and completion lines carry its id, and health checks log nothing', async () => {
    const requestId = `req-${randomUUID()}`;
    const response = await fetch(`${app.baseUrl}/v1/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: 'warfarin' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    await fetch(`${app.baseUrl}/healthz`, { headers: { 'x-request-id': `${requestId}-health` } });
    // The completion line is written when the response closes, just after the client has it.
    await new Promise((resolve) => setTimeout(resolve, 50));

    const lines = app.logs.lines.map((text) => JSON.parse(text) as { req?: { id?: string }; msg: string });
    const own = lines.filter((line) => line.req?.id?.startsWith(requestId));
    expect(own.map((line) => line.msg)).toEqual(['request rejected', 'request completed']);
    expect(own[1]).toMatchObject({ req: { id: requestId, method: 'POST' }, res: { status: 401 }, route: '/v1/search' });
  });

  it('when an error whose message and stack quote patient data is logged, then neither appears', () => {
    const logs = new LogCapture();
    const logger = createLogger('info', logs);
    const cause = Object.assign(new Error(`invalid input syntax for type uuid: "${NAME}"`), { code: '22P02', detail: `Key (name)=(${NAME})` });
    logger.error({ err: new Error(`lookup failed for ${NAME}`, { cause }) }, 'request failed');
    expectNoPhiInLogs(logs, PHI);
    const line = JSON.parse(logs.lines[0]!) as { err: { type: string; stack: string[]; cause: { code: string } } };
    expect(line.err.type).toBe('Error');
    expect(line.err.cause.code).toBe('22P02');
    expect(line.err.stack.length).toBeGreaterThan(0);
  });
});
