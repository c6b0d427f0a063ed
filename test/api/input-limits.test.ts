import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

type Schema = { $ref?: string; properties?: Record<string, Schema>; additionalProperties?: unknown; items?: Schema; prefixItems?: Schema[] } & Record<string, unknown>;
interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

/** Dotted paths of object schemas that would accept unknown fields. */
function lenientObjects(schema: Schema, document: OpenApi, path: string, seen = new Set<string>()): string[] {
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return [];
    seen.add(schema.$ref);
    return lenientObjects(document.components!.schemas![schema.$ref.split('/').pop()!]!, document, path, seen);
  }
  const found: string[] = [];
  if (schema.properties && schema.additionalProperties !== false) found.push(path || '(root)');
  for (const [name, child] of Object.entries(schema.properties ?? {})) found.push(...lenientObjects(child, document, `${path}.${name}`, seen));
  if (schema.items) found.push(...lenientObjects(schema.items, document, `${path}[]`, seen));
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    for (const child of (schema[key] as Schema[] | undefined) ?? []) found.push(...lenientObjects(child, document, path, seen));
  }
  return found;
}

describe('input limits', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite', { BODY_LIMIT_BYTES: '4096' });
  });
  afterAll(() => app.close());

  it('when any route declares a JSON body, then every object in it rejects unknown fields (strict)', async () => {
    const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as OpenApi;
    const lenient = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) => {
        const schema = operation.requestBody?.content['application/json']?.schema;
        return schema ? lenientObjects(schema, document, '').map((where) => `${method.toUpperCase()} ${path} body${where}`) : [];
      }),
    );
    expect(lenient).toEqual([]);
  });

  it('when a body has an unknown field, then 400 validation_failed naming it', async () => {
    const response = await fetch(`${app.baseUrl}/v1/modules/detect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.authHeaders(randomUUID()) },
      body: JSON.stringify({ question: 'how do I book?', admin: true }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('when a body exceeds BODY_LIMIT_BYTES, then 413 payload_too_large as problem+json', async () => {
    const response = await fetch(`${app.baseUrl}/v1/modules/detect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.authHeaders(randomUUID()) },
      body: JSON.stringify({ question: 'x'.repeat(5000) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ code: 'payload_too_large' });
  });
});
