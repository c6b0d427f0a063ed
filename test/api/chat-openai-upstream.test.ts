import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAIChatModel } from '../../src/llm/chat/openai-chat-model.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { parseSse, postChat, readJson, storedCounts, withFakeRetriever, type ProblemBody } from '../support/chat.js';
import { cutStream, FakeOpenAI, rawBody, wholeAnswer, type ChatReply } from '../support/fake-openai.js';
import { DOCTOR_A, DOCTOR_B } from '../fixtures/chat-corpus.fixture.js';
import { databaseBackends, realRedisUrl, uniqueRedisPrefix, type BackendName } from '../support/services.js';

const ANSWER = ['The usual starting dose of warfarin', ' is 5 mg once daily [1].'];

/** pglite with the in-process cache; PostgreSQL with Redis when both are configured. */
function upstreamSetups(): { backend: BackendName; env: Record<string, string> }[] {
  const redisUrl = realRedisUrl();
  return databaseBackends().map((backend) => {
    const env: Record<string, string> = backend === 'postgres' && redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniqueRedisPrefix() } : {};
    return { backend, env };
  });
}

describe.each(upstreamSetups())('chat with an OpenAI-compatible upstream that does not finish, on $backend', ({ backend, env }) => {
  let app: TestApp;
  let upstream: FakeOpenAI;

  beforeAll(async () => {
    upstream = await FakeOpenAI.start();
    const model = new OpenAIChatModel({
      apiKey: 'sk-test-fake-key',
      baseURL: upstream.baseURL,
      model: 'gpt-4o-mini',
      temperature: 0.1,
      timeoutMs: 2_000,
      maxRetries: 1,
      retryBaseDelayMs: 5,
      maxRetryDelayMs: 10,
    });
    app = await startTestApp(backend, env, { customize: withFakeRetriever(undefined, model) });
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });
  beforeEach(() => {
    upstream.chatReply = wholeAnswer(ANSWER);
  });

  /** After the failure: nothing was kept, and the recovered upstream's answer is what the next asker gets. */
  async function expectNothingKept(question: string, before: { conversations: number; turns: number }): Promise<void> {
    expect(await storedCounts(app)).toEqual(before);
    upstream.chatReply = wholeAnswer(ANSWER);
    for (const doctor of [DOCTOR_B, DOCTOR_A]) {
      const response = await postChat(app, doctor, { message: question });
      expect(response.status).toBe(200);
      const body = await readJson(response);
      expect(body.answer).toBe(ANSWER.join(''));
      // The second asker may get the recovered answer from the cache, never an empty one.
      if (doctor === DOCTOR_B) expect(body.cached).toBe(false);
    }
  }

  it.each<[string, ChatReply]>([
    ['an HTML page', rawBody('text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>')],
    ['invalid JSON', rawBody('application/json', '{"choices": [')],
    ['{"choices":[]}', rawBody('application/json', '{"choices":[]}')],
  ])('when a streamed call gets 200 with %s instead of a stream, then 503 openai_incomplete_reply and nothing is stored or cached', async (name, reply) => {
    const question = `What is the starting dose of warfarin (${name})?`;
    upstream.chatReply = reply;
    const before = await storedCounts(app);

    const response = await postChat(app, DOCTOR_A, { message: question }, { stream: true });

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await readJson<ProblemBody>(response)).toMatchObject({ status: 503, code: 'openai_incomplete_reply' });
    await expectNothingKept(question, before);
  });

  it('when the stream is cut before its finish reason and [DONE], then an error event ends it and nothing is stored or cached', async () => {
    const question = 'What is the starting dose of warfarin, streamed?';
    upstream.chatReply = cutStream(['According to', ' the documentation, ']);
    const before = await storedCounts(app);

    const response = await postChat(app, DOCTOR_A, { message: question }, { stream: true });
    const events = parseSse(await response.text());

    expect(events.filter((event) => event.event === 'token').length).toBeGreaterThan(0);
    expect(events.map((event) => event.event)).not.toContain('done');
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { status: 503, code: 'openai_incomplete_reply' } });
    await expectNothingKept(question, before);
  });

  it.each<[string, ChatReply]>([
    ['{"choices":"nope"}', rawBody('application/json', '{"choices":"nope"}')],
    ['{"choices":[]}', rawBody('application/json', '{"choices":[]}')],
    ['an HTML page', rawBody('text/html', '<html>upstream error</html>')],
  ])('when a non-streamed call gets 200 with %s, then a 503 problem and nothing is stored or cached', async (name, reply) => {
    const question = `How much warfarin to start with (${name})?`;
    upstream.chatReply = reply;
    const before = await storedCounts(app);

    const response = await postChat(app, DOCTOR_A, { message: question });

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await readJson<ProblemBody>(response)).code).toMatch(/^openai_/);
    await expectNothingKept(question, before);
  });
});

describe('search with an OpenAI-compatible embedder that fails', () => {
  let app: TestApp;
  let upstream: FakeOpenAI;

  beforeAll(async () => {
    upstream = await FakeOpenAI.start();
    app = await startTestApp('pglite', { OPENAI_API_KEY: 'sk-test-fake-key', OPENAI_BASE_URL: upstream.baseURL, OPENAI_MAX_RETRIES: '0' });
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });

  it.each([400, 500])('when the embeddings call fails with %i (not 429), then the 503 carries Retry-After', async (status) => {
    upstream.embeddingsStatus = status;
    const response = await fetch(`${app.baseUrl}/v1/search`, {
      method: 'POST',
      headers: { ...app.authHeaders(DOCTOR_A), 'content-type': 'application/json' },
      body: JSON.stringify({ query: `warfarin dose ${status}` }),
    });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await readJson<ProblemBody>(response)).code).toMatch(/^openai_/);
  });
});
