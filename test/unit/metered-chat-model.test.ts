import { describe, expect, it } from 'vitest';
import { buildAnswerPrompt } from '../../src/chat/prompt.js';
import { EXTRACTIVE_MODEL, ExtractiveChatModel } from '../../src/llm/chat/extractive-chat-model.js';
import { MeteredChatModel } from '../../src/llm/chat/metered-chat-model.js';
import { Metrics } from '../../src/metrics.js';
import { chatCorpus } from '../fixtures/chat-corpus.fixture.js';
import { seriesValue } from '../support/metrics.js';

const request = buildAnswerPrompt({
  question: 'What is the starting dose of warfarin?',
  hits: chatCorpus(),
  summary: '',
  recentTurns: [],
  sourceTokens: 2_000,
}).request;
const answer = { model: EXTRACTIVE_MODEL, operation: 'answer' };

/** One series of the model's metrics, as /metrics would expose it. */
async function valueOf(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  return seriesValue(await metrics.registry.metrics(), name, labels);
}

describe('metered chat model', () => {
  it('when a streamed answer is read to its end, then one call, its tokens and an ok latency are counted', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const model = new MeteredChatModel(new ExtractiveChatModel(), metrics);
    const parts = [];
    for await (const part of model.stream(request)) parts.push(part);
    const usage = parts.at(-1);

    expect(usage?.type).toBe('usage');
    expect(await valueOf(metrics, 'chat_model_calls_total', answer)).toBe(1);
    expect(await valueOf(metrics, 'chat_model_tokens_total', { ...answer, type: 'completion' })).toBe(
      usage?.type === 'usage' ? usage.usage.completionTokens : -1,
    );
    expect(await valueOf(metrics, 'chat_model_call_duration_seconds_count', { ...answer, outcome: 'ok' })).toBe(1);
    expect(await valueOf(metrics, 'chat_model_failures_total', answer)).toBe(0);
  });

  it('when the reader of a stream stops after its first token, then the call is counted as aborted, once', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const model = new MeteredChatModel(new ExtractiveChatModel(), metrics);
    for await (const part of model.stream(request)) {
      expect(part.type).toBe('token');
      break;
    }

    expect(await valueOf(metrics, 'chat_model_failures_total', { ...answer, kind: 'aborted' })).toBe(1);
    expect(await valueOf(metrics, 'chat_model_call_duration_seconds_count', { ...answer, outcome: 'failed' })).toBe(1);
    expect(await valueOf(metrics, 'chat_model_tokens_total', answer)).toBe(0);
  });

  it('when the caller aborts a call, then it is a failure of kind aborted, not of the model', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const model = new MeteredChatModel(new ExtractiveChatModel(), metrics);
    const controller = new AbortController();
    controller.abort();

    await expect(model.generate(request, { signal: controller.signal })).rejects.toThrow();
    expect(await valueOf(metrics, 'chat_model_failures_total', { ...answer, kind: 'aborted' })).toBe(1);
  });
});
