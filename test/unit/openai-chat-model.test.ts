import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAnswerPrompt } from '../../src/chat/prompt.js';
import { DependencyError } from '../../src/errors.js';
import type { ChatStreamPart } from '../../src/llm/chat/chat-model.js';
import { OpenAIChatModel, type OpenAIChatModelOptions } from '../../src/llm/chat/openai-chat-model.js';
import { chatCorpus } from '../fixtures/chat-corpus.fixture.js';
import {
  CHAT_COMPLETIONS_PATH,
  OPENAI_ORIGIN,
  RECORDED_STREAM_TOKENS,
  chatCompletion,
  chatCompletionStream,
  chatCompletionStreamEvents,
  chatResponseHeaders,
  openAIErrorBody,
  type ChatCompletionsRequestBody,
} from '../fixtures/openai/chat-completions.fixture.js';

const request = buildAnswerPrompt({ question: 'Warfarin dose?', hits: chatCorpus().slice(0, 2), summary: '', recentTurns: [], sourceTokens: 1_000 }).request;

function makeModel(overrides: Partial<OpenAIChatModelOptions> = {}): OpenAIChatModel {
  return new OpenAIChatModel({
    apiKey: 'sk-test-fake-key',
    model: 'gpt-4o-mini',
    temperature: 0.1,
    timeoutMs: 1_000,
    maxRetries: 2,
    retryBaseDelayMs: 2,
    maxRetryDelayMs: 10,
    ...overrides,
  });
}

async function collect(stream: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> {
  const parts: ChatStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

afterEach(() => {
  nock.cleanAll();
});

describe('OpenAIChatModel', () => {
  it('when generating, then it posts the messages with model and temperature and returns text and usage', async () => {
    const bodies: ChatCompletionsRequestBody[] = [];
    const scope = nock(OPENAI_ORIGIN)
      .post(CHAT_COMPLETIONS_PATH)
      .reply((_uri, body) => {
        bodies.push(body as ChatCompletionsRequestBody);
        return [200, chatCompletion('Start at 5 mg once daily [1].'), chatResponseHeaders()];
      });

    const result = await makeModel().generate(request);

    expect(result).toEqual({ text: 'Start at 5 mg once daily [1].', usage: { promptTokens: 812, completionTokens: 64, totalTokens: 876 } });
    expect(bodies[0]).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.1 });
    expect(bodies[0]!.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(scope.isDone()).toBe(true);
  });

  it('when streaming, then token deltas come in order and the usage chunk ends the stream', async () => {
    const bodies: ChatCompletionsRequestBody[] = [];
    nock(OPENAI_ORIGIN)
      .post(CHAT_COMPLETIONS_PATH)
      .reply((_uri, body) => {
        bodies.push(body as ChatCompletionsRequestBody);
        return [200, chatCompletionStream(RECORDED_STREAM_TOKENS), chatResponseHeaders('text/event-stream')];
      });

    const parts = await collect(makeModel().stream(request));

    expect(bodies[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(parts.filter((part) => part.type === 'token').map((part) => (part.type === 'token' ? part.text : '')).join('')).toBe(RECORDED_STREAM_TOKENS.join(''));
    expect(parts.at(-1)).toEqual({ type: 'usage', usage: { promptTokens: 812, completionTokens: 31, totalTokens: 843 } });
  });

  it('when OpenAI answers 429 and then 200, then the call is retried and succeeds', async () => {
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(429, openAIErrorBody('rate_limited'), { 'retry-after-ms': '5' });
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(200, chatCompletion('ok [1]'), chatResponseHeaders());

    expect((await makeModel().generate(request)).text).toBe('ok [1]');
  });

  it('when OpenAI keeps answering 500, then it gives up after the retries with openai_unavailable (503)', async () => {
    const scope = nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).times(3).reply(500, openAIErrorBody('server_error'));

    const error = await makeModel().generate(request).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ status: 503, code: 'openai_unavailable', dependency: 'openai' });
    expect(scope.isDone()).toBe(true);
  });

  it('when OpenAI does not answer in time, then it fails with openai_timeout', async () => {
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).times(2).delay(1_000).reply(200, chatCompletion('late'));

    const error = await makeModel({ timeoutMs: 100, maxRetries: 1 }).generate(request).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: 'openai_timeout', status: 503 });
  });

  it('when the key is rejected (401), then there is no retry', async () => {
    const scope = nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).once().reply(401, openAIErrorBody('invalid_api_key'));

    await expect(makeModel().generate(request)).rejects.toMatchObject({ code: 'openai_rejected' });
    expect(scope.isDone()).toBe(true);
  });

  it('when the caller aborts, then the call stops with the abort and is not retried', async () => {
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).delay(2_000).reply(200, chatCompletion('late'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('client gone')), 50);

    await expect(makeModel().generate(request, { signal: controller.signal })).rejects.toThrow('client gone');
  });

  it('when condensing, then the follow-up and the conversation go to the model and the rewritten question comes back', async () => {
    const bodies: ChatCompletionsRequestBody[] = [];
    nock(OPENAI_ORIGIN)
      .post(CHAT_COMPLETIONS_PATH)
      .reply((_uri, body) => {
        bodies.push(body as ChatCompletionsRequestBody);
        return [200, chatCompletion('What is the warfarin dose for children?'), chatResponseHeaders()];
      });

    const result = await makeModel().condense({
      question: 'and for children?',
      turns: [{ question: 'Warfarin dose?', standaloneQuestion: 'Warfarin dose?', answer: '5 mg [1]' }],
      summary: '',
    });

    expect(result.text).toBe('What is the warfarin dose for children?');
    expect(bodies[0]!.messages.at(-1)!.content).toContain('Doctor: Warfarin dose?');
    expect(bodies[0]!.messages.at(-1)!.content).toContain('Last message: and for children?');
  });
  it('when a stream ends before a finish reason, then the tokens came but the call fails with openai_incomplete_reply', async () => {
    const cut = chatCompletionStreamEvents(['According to', ' the documentation, ']).slice(0, 3).join('');
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(200, cut, chatResponseHeaders('text/event-stream'));
    const parts: ChatStreamPart[] = [];

    const error = await (async () => {
      for await (const part of makeModel().stream(request)) parts.push(part);
    })().catch((caught: unknown) => caught);

    expect(parts.map((part) => (part.type === 'token' ? part.text : part.type))).toEqual(['According to', ' the documentation, ']);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ status: 503, code: 'openai_incomplete_reply', message: expect.stringContaining('cut before the model finished') });
  });

  it.each([
    ['a JSON body', '{"choices":[]}', 'application/json'],
    ['an HTML page', '<html>Bad gateway</html>', 'text/html'],
    ['only [DONE]', 'data: [DONE]\n\n', 'text/event-stream'],
  ])('when a streamed call gets %s, then it fails with openai_incomplete_reply without a retry', async (_name, body, contentType) => {
    const scope = nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).once().reply(200, body, { 'content-type': contentType });

    await expect(collect(makeModel().stream(request))).rejects.toMatchObject({ code: 'openai_incomplete_reply' });
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    ['{"choices":"nope"}', { choices: 'nope' }],
    ['a message without finish_reason', { choices: [{ index: 0, message: { role: 'assistant', content: 'Start at 5 mg [1].' } }] }],
    ['a finished empty answer', chatCompletion('')],
  ])('when a completion is %s, then generate fails with openai_incomplete_reply', async (_name, body) => {
    nock(OPENAI_ORIGIN).post(CHAT_COMPLETIONS_PATH).reply(200, body, chatResponseHeaders());

    await expect(makeModel().generate(request)).rejects.toMatchObject({ status: 503, code: 'openai_incomplete_reply' });
  });
});
