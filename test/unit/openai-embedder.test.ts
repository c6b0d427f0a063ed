import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DependencyError, ValidationError } from '../../src/errors.js';
import { OpenAIEmbedder, type OpenAIEmbedderOptions } from '../../src/llm/embeddings/openai-embedder.js';
import type { RetryEvent } from '../../src/llm/openai-failures.js';
import { countTokens } from '../../src/llm/tokens.js';
import {
  OPENAI_ORIGIN,
  buildEmbeddingsResponse,
  embeddingsResponseHeaders,
  fakeEmbedding,
  openAIErrorBody,
  type EmbeddingsRequestBody,
} from '../fixtures/openai/embeddings-response.fixture.js';

const API_KEY = 'sk-test-fake-key';

function makeEmbedder(overrides: Partial<OpenAIEmbedderOptions> = {}): OpenAIEmbedder {
  return new OpenAIEmbedder({
    apiKey: API_KEY,
    timeoutMs: 1_000,
    maxRetries: 2,
    // Backoff of a few milliseconds keeps retry tests fast; the policy is the same.
    retryBaseDelayMs: 2,
    maxRetryDelayMs: 10,
    ...overrides,
  });
}

/** Short, distinct texts of a known size. */
function texts(count: number, words = 20): string[] {
  return Array.from({ length: count }, (_, i) => `Note ${i}: ${'dosage adjusted after renal panel '.repeat(words / 5)}`.trim());
}

/** Answers every embeddings request with vectors made from its inputs and records the inputs. */
function mockEmbeddings(options: { origin?: string; path?: string; times?: number } = {}) {
  const requests: EmbeddingsRequestBody[] = [];
  const scope = nock(options.origin ?? OPENAI_ORIGIN)
    .post(options.path ?? '/v1/embeddings')
    .times(options.times ?? 1)
    .reply((_uri, body) => {
      const request = body as EmbeddingsRequestBody;
      requests.push(request);
      return [200, buildEmbeddingsResponse(request), embeddingsResponseHeaders()];
    });
  return { scope, requests };
}

function inputsOf(request: EmbeddingsRequestBody | undefined): string[] {
  if (request === undefined) return [];
  return Array.isArray(request.input) ? request.input : [request.input];
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** The next embeddings request is answered with vectors but no usage, as some compatible servers do. */
function replyWithoutUsage(): void {
  nock(OPENAI_ORIGIN)
    .post('/v1/embeddings')
    .reply((_uri, body) => [200, buildEmbeddingsResponse(body as EmbeddingsRequestBody, { promptTokens: null }), embeddingsResponseHeaders()]);
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.enableNetConnect();
});

describe('OpenAIEmbedder', () => {
  describe('requests', () => {
    it('when embedding documents, then it posts model, dimensions and the key, and returns vectors in input order', async () => {
      const requests: EmbeddingsRequestBody[] = [];
      const scope = nock(OPENAI_ORIGIN, { reqheaders: { authorization: `Bearer ${API_KEY}` } })
        .post('/v1/embeddings')
        .reply((_uri, body) => {
          requests.push(body as EmbeddingsRequestBody);
          return [200, buildEmbeddingsResponse(body as EmbeddingsRequestBody), embeddingsResponseHeaders()];
        });
      const input = ['Amoxicillin 500 mg three times daily.', 'Line one\nline two keeps its newline.'];

      const result = await makeEmbedder().embedDocuments(input);

      expect(requests).toEqual([
        { model: 'text-embedding-3-small', input, dimensions: 1536, encoding_format: 'base64' },
      ]);
      expect(result.vectors).toEqual(input.map((text) => Float32Array.from(fakeEmbedding(text))));
      expect(result.calls).toBe(1);
      expect(result.tokens).toBe(14); // usage.prompt_tokens of the reply, not our count
      expect(result.truncated).toEqual([]);
      expect(scope.isDone()).toBe(true);
    });

    it('when the reply has no usage, then tokens are our own count', async () => {
      replyWithoutUsage();
      const input = ['Blood pressure 128/82 mmHg.', 'Follow up in two weeks.'];

      const result = await makeEmbedder().embedDocuments(input);

      expect(result.tokens).toBe(countTokens(input[0]!) + countTokens(input[1]!));
    });

    it('when baseURL points at a compatible server, then requests go there and float replies are accepted', async () => {
      const requests: EmbeddingsRequestBody[] = [];
      const scope = nock('http://llm.local:8080')
        .post('/v1/embeddings')
        .reply((_uri, body) => {
          requests.push(body as EmbeddingsRequestBody);
          // Some servers ignore encoding_format and always answer floats.
          const reply = buildEmbeddingsResponse(body as EmbeddingsRequestBody, { encodingFormat: 'float' });
          return [200, reply, { 'content-type': 'application/json' }];
        });

      const vector = await makeEmbedder({ baseURL: 'http://llm.local:8080/v1', model: 'nomic-embed-text' }).embedQuery(
        'chest pain on exertion',
      );

      expect(vector).toEqual(fakeEmbedding('chest pain on exertion'));
      expect(requests[0]?.model).toBe('nomic-embed-text');
      expect(scope.isDone()).toBe(true);
    });

    it('when the input array is empty, then no request is made', async () => {
      // No interceptor: with net connect disabled, any request would fail the call.
      const result = await makeEmbedder().embedDocuments([]);

      expect(result).toEqual({ vectors: [], calls: 0, tokens: 0, truncated: [] });
    });

    it('when an input is empty, then it is refused before any request, naming its index', async () => {
      const error = await rejection(makeEmbedder().embedDocuments(['fine', '']));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toEqual([{ path: 'texts.1', message: 'must not be empty' }]);
    });

    it('when options are out of range, then the constructor lists every problem', () => {
      let error: unknown;
      try {
        makeEmbedder({ maxInputsPerRequest: 4096, maxTokensPerRequest: 300_000, maxConcurrency: 0 });
      } catch (caught) {
        error = caught;
      }

      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'maxConcurrency must be an integer from 1 to 64',
        'maxInputsPerRequest must be an integer from 1 to 2048',
        'maxTokensPerRequest must be a positive integer below 300000',
      ]);
    });
  });

  describe('batching', () => {
    it('when the texts exceed maxTokensPerRequest, then they are split into requests under the limit, order preserved', async () => {
      const input = texts(10, 20);
      const perText = countTokens(input[0]!);
      const maxTokensPerRequest = perText * 3 + 1; // three texts fit, a fourth does not
      const { scope, requests } = mockEmbeddings({ times: 4 });

      const result = await makeEmbedder({ maxTokensPerRequest, maxConcurrency: 1 }).embedDocuments(input);

      expect(requests.map((request) => inputsOf(request).length)).toEqual([3, 3, 3, 1]);
      for (const request of requests) {
        const tokens = inputsOf(request).reduce((sum, text) => sum + countTokens(text), 0);
        expect(tokens).toBeLessThanOrEqual(maxTokensPerRequest);
      }
      expect(requests.flatMap(inputsOf)).toEqual(input);
      expect(result.vectors).toEqual(input.map((text) => Float32Array.from(fakeEmbedding(text))));
      expect(result.calls).toBe(4);
      expect(scope.isDone()).toBe(true);
    });

    it('when there are more texts than maxInputsPerRequest, then they are split by count', async () => {
      const input = texts(7, 5);
      const { scope, requests } = mockEmbeddings({ times: 3 });

      const result = await makeEmbedder({ maxInputsPerRequest: 3 }).embedDocuments(input);

      expect(requests.map((request) => inputsOf(request).length).sort()).toEqual([1, 3, 3]);
      expect(result.vectors).toEqual(input.map((text) => Float32Array.from(fakeEmbedding(text))));
      expect(result.calls).toBe(3);
      expect(scope.isDone()).toBe(true);
    });

    it('when one text is longer than the input limit, then it is truncated and reported, not thrown', async () => {
      const long = 'The patient reports intermittent headaches. '.repeat(1_500); // ~9,000 tokens
      const { requests } = mockEmbeddings();

      const result = await makeEmbedder().embedDocuments(['short note', long]);

      const sent = inputsOf(requests[0]);
      expect(sent[0]).toBe('short note');
      expect(countTokens(sent[1]!)).toBeLessThanOrEqual(8_191);
      expect(long.startsWith(sent[1]!)).toBe(true);
      expect(result.truncated).toEqual([{ index: 1, tokens: countTokens(long), keptTokens: countTokens(sent[1]!) }]);
      expect(result.vectors).toHaveLength(2);
    });
  });

  describe('retries', () => {
    it('when the API answers 429 with Retry-After: 0, then it retries at once and succeeds', async () => {
      const events: RetryEvent[] = [];
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .reply(429, openAIErrorBody('rate_limited'), embeddingsResponseHeaders({ 'retry-after': '0' }));
      const { scope } = mockEmbeddings();

      const result = await makeEmbedder({ retryBaseDelayMs: 1_000, onRetry: (event) => events.push(event) }).embedDocuments([
        'hello',
      ]);

      expect(result.calls).toBe(1); // the 429 is not counted: nothing was embedded or billed
      expect(events).toEqual([{ attempt: 1, delayMs: 0, reason: 'rate_limited', status: 429 }]);
      expect(scope.isDone()).toBe(true);
    });

    it('when Retry-After asks for longer than the deadline allows, then it fails at once with the wait to suggest', async () => {
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .reply(429, openAIErrorBody('rate_limited'), embeddingsResponseHeaders({ 'retry-after': '20' }));

      const started = performance.now();
      const error = await rejection(makeEmbedder({ deadlineMs: 2_000 }).embedDocuments(['hello']));

      expect(performance.now() - started).toBeLessThan(1_000);
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ code: 'openai_unavailable', status: 503, retryAfterSeconds: 20 });
      expect(nock.isDone()).toBe(true);
    });

    it('when the API answers 500, then it retries with backoff and succeeds', async () => {
      const events: RetryEvent[] = [];
      nock(OPENAI_ORIGIN).post('/v1/embeddings').twice().reply(500, openAIErrorBody('server_error'), embeddingsResponseHeaders());
      const { scope } = mockEmbeddings();

      const result = await makeEmbedder({ onRetry: (event) => events.push(event) }).embedDocuments(['hello']);

      expect(result.vectors).toEqual([Float32Array.from(fakeEmbedding('hello'))]);
      expect(events.map((event) => [event.attempt, event.reason, event.status])).toEqual([
        [1, 'server_error', 500],
        [2, 'server_error', 500],
      ]);
      // Exponential with jitter: within [base/2, base] * 2^(attempt-1).
      expect(events[0]!.delayMs).toBeGreaterThanOrEqual(1);
      expect(events[0]!.delayMs).toBeLessThanOrEqual(2);
      expect(events[1]!.delayMs).toBeGreaterThanOrEqual(2);
      expect(events[1]!.delayMs).toBeLessThanOrEqual(4);
      expect(scope.isDone()).toBe(true);
    });

    it('when the connection drops, then it retries and succeeds', async () => {
      nock(OPENAI_ORIGIN).post('/v1/embeddings').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
      const { scope } = mockEmbeddings();

      const result = await makeEmbedder().embedDocuments(['hello']);

      expect(result.calls).toBe(1);
      expect(scope.isDone()).toBe(true);
    });

    it('when the API keeps answering 503, then it gives up after maxRetries + 1 requests', async () => {
      const scope = nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .times(3)
        .reply(503, openAIErrorBody('server_error'), embeddingsResponseHeaders());

      const error = await rejection(makeEmbedder({ maxRetries: 2 }).embedDocuments(['hello']));

      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ dependency: 'openai', code: 'openai_unavailable', status: 503 });
      expect((error as Error).message).toMatch(/after 3 attempts: 503/);
      expect((error as Error).cause).toBeDefined();
      expect(scope.isDone()).toBe(true);
    });

    it.each([
      [400, 'bad_request' as const, /'\$\.input' is invalid/],
      [401, 'invalid_api_key' as const, /Incorrect API key/],
      [429, 'insufficient_quota' as const, /exceeded your current quota/],
    ])('when the API answers %i (%s), then it fails at once without retrying', async (status, body, message) => {
      let requests = 0;
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .times(3)
        .reply(() => {
          requests += 1;
          return [status, openAIErrorBody(body), embeddingsResponseHeaders()];
        });

      const error = await rejection(makeEmbedder().embedDocuments(['hello']));

      expect(requests).toBe(1);
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ code: 'openai_rejected', status: 503 });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(String(status));
      expect((error as { cause: { status: number } }).cause.status).toBe(status);
    });

    it('when every attempt takes longer than timeoutMs, then it fails with openai_timeout after the retries', async () => {
      let requests = 0;
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .times(2)
        .delay(1_000)
        .reply((_uri, body) => {
          requests += 1;
          return [200, buildEmbeddingsResponse(body as EmbeddingsRequestBody), embeddingsResponseHeaders()];
        });

      const started = performance.now();
      const error = await rejection(makeEmbedder({ timeoutMs: 60, maxRetries: 1 }).embedDocuments(['hello']));
      const elapsed = performance.now() - started;

      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ code: 'openai_timeout', status: 503 });
      expect((error as Error).message).toMatch(/after 2 attempts/);
      expect(requests).toBe(2);
      // Near the deadline of timeoutMs * (maxRetries + 1) = 120 ms, far below one slow reply; slack for a loaded machine.
      expect(elapsed).toBeLessThan(600);
    });
  });

  describe('concurrency and cancellation', () => {
    it('when there are many batches, then at most maxConcurrency requests are in flight', async () => {
      let inFlight = 0;
      let peak = 0;
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .times(12)
        .reply(async (_uri, body) => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 15));
          inFlight -= 1;
          return [200, buildEmbeddingsResponse(body as EmbeddingsRequestBody), embeddingsResponseHeaders()];
        });
      const input = texts(12, 5);

      const result = await makeEmbedder({ maxInputsPerRequest: 1, maxConcurrency: 3 }).embedDocuments(input);

      expect(peak).toBe(3);
      expect(result.calls).toBe(12);
      expect(result.vectors).toEqual(input.map((text) => Float32Array.from(fakeEmbedding(text))));
      expect(nock.isDone()).toBe(true);
    });

    it('when many requests share one signal, then Node does not warn of a listener leak', async () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => {
        warnings.push(warning.name);
      };
      process.on('warning', onWarning);
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .times(20)
        .delay(10)
        .reply((_uri, body) => [200, buildEmbeddingsResponse(body as EmbeddingsRequestBody), embeddingsResponseHeaders()]);

      try {
        await makeEmbedder({ maxInputsPerRequest: 1, maxConcurrency: 20 }).embedDocuments(texts(20, 5), {
          signal: new AbortController().signal,
        });
        await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      } finally {
        process.off('warning', onWarning);
      }

      expect(warnings).not.toContain('MaxListenersExceededWarning');
    });

    it('when the signal is aborted, then no further requests are sent and the call rejects with the abort reason', async () => {
      const controller = new AbortController();
      let requests = 0;
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .times(5)
        .reply((_uri, body) => {
          requests += 1;
          controller.abort(); // the client went away while the first batch was being answered
          return [200, buildEmbeddingsResponse(body as EmbeddingsRequestBody), embeddingsResponseHeaders()];
        });

      const error = await rejection(
        makeEmbedder({ maxInputsPerRequest: 1, maxConcurrency: 1 }).embedDocuments(texts(5, 5), {
          signal: controller.signal,
        }),
      );

      expect(error).toBeInstanceOf(DOMException);
      expect((error as DOMException).name).toBe('AbortError');
      expect(requests).toBe(1);
    });

    it('when the signal is aborted during a slow request, then the request is cancelled promptly', async () => {
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .delay(2_000)
        .reply((_uri, body) => [200, buildEmbeddingsResponse(body as EmbeddingsRequestBody), embeddingsResponseHeaders()]);

      const started = performance.now();
      const error = await rejection(makeEmbedder({ timeoutMs: 5_000 }).embedQuery('hello', { signal: AbortSignal.timeout(30) }));

      expect((error as DOMException).name).toBe('TimeoutError'); // AbortSignal.timeout's reason
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('when the signal is already aborted, then nothing is sent', async () => {
      const error = await rejection(makeEmbedder().embedDocuments(['hello'], { signal: AbortSignal.abort() }));

      expect((error as DOMException).name).toBe('AbortError');
    });

    it('when one batch fails for good, then batches not yet started are not sent', async () => {
      let requests = 0;
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .times(4)
        .reply(() => {
          requests += 1;
          return [401, openAIErrorBody('invalid_api_key'), embeddingsResponseHeaders()];
        });

      const error = await rejection(
        makeEmbedder({ maxInputsPerRequest: 1, maxConcurrency: 1 }).embedDocuments(texts(4, 5)),
      );

      expect(error).toMatchObject({ code: 'openai_rejected' });
      expect(requests).toBe(1);
    });
  });

  describe('vector checks', () => {
    it('when the server returns vectors of another size, then it fails naming both sizes', async () => {
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .reply((_uri, body) => [
          200,
          buildEmbeddingsResponse(body as EmbeddingsRequestBody, { dimensions: 768 }),
          embeddingsResponseHeaders(),
        ]);

      const error = await rejection(makeEmbedder().embedDocuments(['hello']));

      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ code: 'openai_invalid_response' });
      expect((error as Error).message).toMatch(/768 dimensions, expected 1536/);
    });

    it('when the server returns fewer vectors than inputs, then it fails', async () => {
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .reply((_uri, body) => {
          const request = body as EmbeddingsRequestBody;
          return [200, buildEmbeddingsResponse({ ...request, input: inputsOf(request).slice(1) }), embeddingsResponseHeaders()];
        });

      const error = await rejection(makeEmbedder().embedDocuments(['one', 'two']));

      expect((error as Error).message).toMatch(/1 embeddings for 2 inputs/);
    });

    it('when the server returns vectors out of order, then the index field puts them back', async () => {
      nock(OPENAI_ORIGIN)
        .post('/v1/embeddings')
        .reply((_uri, body) => {
          const reply = buildEmbeddingsResponse(body as EmbeddingsRequestBody) as { data: unknown[] };
          reply.data.reverse();
          return [200, reply, embeddingsResponseHeaders()];
        });

      const result = await makeEmbedder().embedDocuments(['one', 'two', 'three']);

      expect(result.vectors).toEqual(['one', 'two', 'three'].map((text) => Float32Array.from(fakeEmbedding(text))));
    });
  });
});
