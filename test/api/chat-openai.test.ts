import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { NOTHING_FOUND } from '../../src/chat/chat.use-case.js';
import { OpenAIChatModel } from '../../src/llm/chat/openai-chat-model.js';
import { DOCTOR_A } from '../fixtures/chat-corpus.fixture.js';
import {
  CHAT_COMPLETIONS_PATH,
  OPENAI_ORIGIN,
  RECORDED_STREAM_TOKENS,
  chatCompletion,
  chatCompletionStream,
  chatCompletionStreamEvents,
  chatResponseHeaders,
  openAIErrorBody,
} from '../fixtures/openai/chat-completions.fixture.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { parseSse, postChat, storedCounts, withFakeRetriever, readJson, type ConversationBody, type ProblemBody } from '../support/chat.js';
import { FakeRetriever } from '../support/fake-retriever.js';
import { databaseBackends } from '../support/services.js';
import { CHAT_MODULES, chatCorpus } from '../fixtures/chat-corpus.fixture.js';

function openAIModel(baseURL?: string): OpenAIChatModel {
  return new OpenAIChatModel({
    apiKey: 'sk-test-fake-key',
    ...(baseURL ? { baseURL } : {}),
    model: 'gpt-4o-mini',
    temperature: 0.1,
    timeoutMs: 300,
    maxRetries: 1,
    retryBaseDelayMs: 5,
    maxRetryDelayMs: 10,
  });
}

afterEach(() => {
  nock.cleanAll();
});

describe.each(databaseBackends())('chat API with OpenAI (nock) on %s', (backend) => {
  let app: TestApp;
  const model = openAIModel();
  beforeAll(async () => {
    app = await startTestApp(backend, {}, { customize: withFakeRetriever(new FakeRetriever(chatCorpus(), CHAT_MODULES), model) });
  });
  afterAll(() => app.close());

  it('when the model cites a source that was not provided, then the marker is removed and reported', async () => {
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(200, chatCompletion('Start at 5 mg once daily [1][7]. Stop it five days before surgery [2].'), chatResponseHeaders());

    const response = await postChat(app, DOCTOR_A, { message: 'What is the starting dose of warfarin and when to stop it?' });
    const body = await readJson(response);

    expect(response.status).toBe(200);
    expect(body.answer).toBe('Start at 5 mg once daily [1]. Stop it five days before surgery [2].');
    expect(body.removedCitations).toEqual([7]);
    expect(body.citations.map((citation: { n: number }) => citation.n)).toEqual([1, 2]);
    expect(body.usage).toEqual({ promptTokens: 812, completionTokens: 64, totalTokens: 876, model: 'gpt-4o-mini', offline: false });
  });

  it('when retrieval finds nothing, then the answer says so and the model is never called', async () => {
    const unexpected: string[] = [];
    // Loopback calls to the app pass through nock too; only provider calls count.
    const record = (request: { path?: string }) => {
      if (String(request.path).includes(CHAT_COMPLETIONS_PATH)) unexpected.push(String(request.path));
    };
    nock.emitter.on('no match', record);
    const generate = vi.spyOn(model, 'generate');
    try {
      const body = await readJson(await postChat(app, DOCTOR_A, { message: 'Zebra migration patterns in Kenya?' }));
      expect(body).toMatchObject({ answer: NOTHING_FOUND, citations: [], cached: false, usage: { totalTokens: 0 } });
      expect(generate).not.toHaveBeenCalled();
    } finally {
      nock.emitter.removeListener('no match', record);
      generate.mockRestore();
    }
    expect(unexpected).toEqual([]);
  });

  it.each([
    ['429', 429, 'rate_limited', 'openai_unavailable'],
    ['500', 500, 'server_error', 'openai_unavailable'],
  ] as const)('when OpenAI keeps answering %s, then the answer is a 503 problem with a code and no half turn is stored', async (_name, status, body, code) => {
    const scope = nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).times(2).reply(status, openAIErrorBody(body));
    const before = await storedCounts(app);

    const response = await postChat(app, DOCTOR_A, { message: 'What is the usual starting dose of warfarin?' });

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await readJson<ProblemBody>(response)).toMatchObject({ status: 503, code });
    expect(scope.isDone()).toBe(true);
    expect(await storedCounts(app)).toEqual(before);
  });

  it('when OpenAI does not answer in time, then the answer is a 503 openai_timeout and nothing is stored', async () => {
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).times(2).delay(1_000).reply(200, chatCompletion('late'));
    const before = await storedCounts(app);

    const response = await postChat(app, DOCTOR_A, { message: 'What is the warfarin dose for children?' });

    expect(response.status).toBe(503);
    expect((await readJson<ProblemBody>(response)).code).toBe('openai_timeout');
    expect(await storedCounts(app)).toEqual(before);
  });

  it('when OpenAI fails during a follow-up, then the conversation keeps its earlier turns only', async () => {
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(200, chatCompletion('Open the patient chart [1].'), chatResponseHeaders());
    const { conversationId } = await readJson(await postChat(app, DOCTOR_A, { message: 'How do I book an appointment?' }));
    // The condense call succeeds, the answer fails.
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(200, chatCompletion('How do I cancel an appointment?'), chatResponseHeaders());
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).times(2).reply(500, openAIErrorBody('server_error'));

    const response = await postChat(app, DOCTOR_A, { message: 'and to cancel it?', conversationId });

    expect(response.status).toBe(503);
    const conversation = await readJson<ConversationBody>(await fetch(`${app.baseUrl}/v1/conversations/${conversationId}`, { headers: app.authHeaders(DOCTOR_A) }));
    expect(conversation.turnCount).toBe(1);
    expect(conversation.turns).toHaveLength(1);
  });

  it('when the answer streams from OpenAI, then SSE token events relay it with unknown citations removed, then done', async () => {
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(200, chatCompletionStream(RECORDED_STREAM_TOKENS), chatResponseHeaders('text/event-stream'));

    const response = await postChat(app, DOCTOR_A, { message: 'Warfarin starting dose and when to stop it before surgery?' }, { stream: true });
    const events = parseSse(await response.text());

    expect(response.status).toBe(200);
    const text = events.filter((event) => event.event === 'token').map((event) => (event.data as { text: string }).text).join('');
    expect(text).toBe('The usual starting dose of warfarin is 5 mg once daily [1]. Stop it five days before surgery [2].');
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data).toMatchObject({ cached: false, removedCitations: [7], usage: { promptTokens: 812, completionTokens: 31, offline: false } });
  });

  it('when the stream fails after it has begun, then an error event with a problem ends it and nothing is stored', async () => {
    const events = chatCompletionStreamEvents(['Partial', ' answer']).slice(0, 2).join('');
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(200, `${events}data: {not json\n\n`, chatResponseHeaders('text/event-stream'));
    const before = await storedCounts(app);

    const response = await postChat(app, DOCTOR_A, { message: 'What is the starting dose of warfarin today?' }, { stream: true });
    const parsed = parseSse(await response.text());

    expect(parsed.at(-1)!.event).toBe('error');
    expect(parsed.at(-1)!.data).toMatchObject({ status: 503, code: 'openai_unavailable' });
    expect(await storedCounts(app)).toEqual(before);
  });
});

describe('chat API: client disconnect during a streamed OpenAI answer', () => {
  let app: TestApp;
  let provider: Server;
  let providerSawClose = false;

  beforeAll(async () => {
    // A loopback OpenAI-compatible server that streams one token and then waits forever.
    provider = createServer((req, res) => {
      req.resume();
      res.on('close', () => {
        providerSawClose = !res.writableEnded;
      });
      res.writeHead(200, chatResponseHeaders('text/event-stream'));
      for (const event of chatCompletionStreamEvents(['Warfarin', ' is'], undefined).slice(0, 3)) res.write(event);
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const { port } = provider.address() as AddressInfo;
    app = await startTestApp('pglite', {}, { customize: withFakeRetriever(undefined, openAIModel(`http://127.0.0.1:${port}/v1`)) });
  });
  afterAll(async () => {
    await app.close();
    provider.closeAllConnections();
    await new Promise((resolve) => provider.close(resolve));
  });

  it('when the client goes away mid-stream, then the provider request is aborted and no turn is stored', async () => {
    const controller = new AbortController();
    const response = await postChat(app, DOCTOR_A, { message: 'What is the starting dose of warfarin?' }, { stream: true, signal: controller.signal });
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('event: token')) received += new TextDecoder().decode((await reader.read()).value as Uint8Array);

    controller.abort();
    const deadline = Date.now() + 3_000;
    while (!providerSawClose && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

    expect(providerSawClose).toBe(true);
    expect(await storedCounts(app)).toEqual({ conversations: 0, turns: 0 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(app.logs.text()).toContain('client disconnected; generation stopped and nothing stored');
  });
});
