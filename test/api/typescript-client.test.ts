import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantClient, streamChat, type AssistantClient, type ChatStreamEvent } from '../../clients/typescript/src/index.js';
import { clientSchemaTypes } from '../../scripts/openapi.js';
import { DOCTOR_A } from '../fixtures/chat-corpus.fixture.js';
import { startTestApp, type TestApp } from '../support/app.js';

const SCHEMA_TYPES = 'clients/typescript/src/schema.d.ts';

describe('the typed TypeScript client against the running app', () => {
  let app: TestApp;
  let client: AssistantClient;

  beforeAll(async () => {
    app = await startTestApp('pglite');
    await app.services.ingest.reindex({ path: 'examples/docs/appointments', collection: 'examples/appointments', module: 'appointments' }, 'test');
    client = createAssistantClient({ baseUrl: app.baseUrl, apiKey: app.apiKey, doctor: { id: DOCTOR_A } });
  });
  afterAll(() => app.close());

  it('when the committed schema types are compared with the running app\'s document, then they are the same (else: npm run clients:types)', async () => {
    const document: unknown = await (await fetch(`${app.baseUrl}/openapi.json`)).json();
    expect(await clientSchemaTypes(document), `${SCHEMA_TYPES} is stale: run npm run clients:types`).toBe(await readFile(SCHEMA_TYPES, 'utf8'));
  });

  it('when a main app chats, streams a follow-up, searches, reads and erases the conversation, then each call is typed and answered', async () => {
    const { data: answer, error } = await client.POST('/v1/chat', { body: { message: 'How do I reschedule an appointment to another day?' } });
    expect(error).toBeUndefined();
    expect(answer!.citations.length).toBeGreaterThan(0);
    expect(answer!.answer).toContain('[1]');

    const events: ChatStreamEvent[] = [];
    for await (const event of streamChat(client, { message: 'And how is the patient told?', conversationId: answer!.conversationId })) events.push(event);
    const done = events.at(-1)!;
    expect(events.slice(0, -1).every((event) => event.event === 'token')).toBe(true);
    expect(events.filter((event) => event.event === 'token').length).toBeGreaterThan(0);
    expect(done).toMatchObject({ event: 'done', data: { conversationId: answer!.conversationId } });

    const { data: found } = await client.POST('/v1/search', { body: { query: 'reschedule an appointment', k: 3 } });
    expect(found!.results[0]).toMatchObject({ module: 'appointments', sourceKind: 'doc' });

    const path = { params: { path: { id: answer!.conversationId } } };
    const { data: conversation } = await client.GET('/v1/conversations/{id}', path);
    expect(conversation!.turnCount).toBe(2);

    const erased = await client.DELETE('/v1/conversations/{id}', path);
    expect(erased.response.status).toBe(204);
    const { error: gone, response } = await client.GET('/v1/conversations/{id}', path);
    expect(response.status).toBe(404);
    expect(gone).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('when the stream is refused before it starts (a conversation that is not there), then streamChat throws the problem', async () => {
    const stream = streamChat(client, { message: 'hello', conversationId: '8ed78a0c-c875-4c5e-831d-f96f40c87bec' });
    await expect(stream.next()).rejects.toMatchObject({ problem: { status: 404, code: 'not_found' } });
  });
});
