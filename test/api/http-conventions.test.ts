import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { readJson, type Json } from '../support/http.js';

/** One request through node:http, which (unlike fetch) may send any method, TRACE included. */
function rawRequest(app: TestApp, method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${app.baseUrl}${path}`, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

describe('HTTP conventions', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite');
  });
  afterAll(() => app.close());

  const postJson = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${app.baseUrl}${path}`, { method: 'POST', headers: { ...app.authHeaders(), 'content-type': contentType }, body });

  it('when TRACE is sent to a route that exists, then 405 with Allow naming its methods, as problem+json', async () => {
    const response = await rawRequest(app, 'TRACE', '/v1/conversations/8ed78a0c-c875-4c5e-831d-f96f40c87bec');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('DELETE, GET, HEAD');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.body)).toMatchObject({ status: 405, code: 'method_not_allowed' });
  });

  it('when PATCH is sent to /v1/chat, then 405 with Allow: POST; an unknown path stays 404', async () => {
    const response = await fetch(`${app.baseUrl}/v1/chat`, { method: 'PATCH', headers: app.authHeaders() });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await fetch(`${app.baseUrl}/v1/chats`, { method: 'PATCH' })).status).toBe(404);
  });

  it('when OPTIONS is sent to a route, then express answers with Allow', async () => {
    const response = await fetch(`${app.baseUrl}/v1/search`, { method: 'OPTIONS' });
    expect(response.status).toBe(200);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('when the body is text/plain, then 415 unsupported_media_type, not a validation error', async () => {
    const response = await postJson('/v1/search', '{"query": "tax rates"}', 'text/plain');
    expect(response.status).toBe(415);
    expect(await readJson(response)).toMatchObject({ code: 'unsupported_media_type', detail: expect.stringContaining('application/json') });
  });

  it.each(['"str"', 'null', '42'])('when the JSON body is %s, then 400 body_not_object saying it must be an object', async (body) => {
    const response = await postJson('/v1/search', body);
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: 'body_not_object', detail: 'The request body must be a JSON object.' });
  });

  it('when JSON is malformed, then it is still 400 malformed_json', async () => {
    const response = await postJson('/v1/search', '{"query": ');
    expect(await readJson(response)).toMatchObject({ status: 400, code: 'malformed_json' });
  });

  it('when the document is read, then every operation has a unique operationId, declared tags and, with a body, a required one', async () => {
    const document = await readJson(await fetch(`${app.baseUrl}/openapi.json`));
    const declared = new Set(document.tags.map((tag: { name: string }) => tag.name));
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods as Record<string, Json>));
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const operation of operations) {
      expect(operation.tags.every((tag: string) => declared.has(tag)), operation.operationId).toBe(true);
      if (operation.requestBody) expect(operation.requestBody.required, operation.operationId).toBe(true);
    }
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(document.paths['/v1/admin/jobs/{id}'].get.responses['404'].content['application/problem+json']).toBeDefined();
    expect(Object.keys(document.paths['/v1/chat'].post.responses['200'].content)).toEqual(['application/json', 'text/event-stream']);
    expect(document.paths['/v1/chat'].post.responses['429'].headers['Retry-After']).toBeDefined();
  });
});
