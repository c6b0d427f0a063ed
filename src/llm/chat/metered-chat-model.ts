import type { Metrics } from '../../metrics.js';
import { NO_USAGE, type AnswerRequest, type ChatCallOptions, type ChatModel, type ChatResult, type ChatStreamPart, type ChatUsage, type CondenseInput, type SummariseInput } from './chat-model.js';

type Operation = 'answer' | 'condense' | 'summarise';

/** One call as it is metered: started on creation; the first outcome told is the one recorded. */
interface MeteredCall {
  succeeded(usage: ChatUsage): void;
  failed(error: unknown): void;
  /** A consumer stopped reading a stream: counted as aborted unless an outcome came first. */
  abandoned(): void;
}

/**
 * Counts a chat model's calls, their tokens, latency and failures by kind, whichever
 * model is behind it. A call aborted by its caller (a client gone) is a failure of kind
 * `aborted`, not one of the model.
 */
export class MeteredChatModel implements ChatModel {
  readonly model: string;
  readonly offline: boolean;

  constructor(
    private readonly inner: ChatModel,
    private readonly metrics: Metrics,
  ) {
    this.model = inner.model;
    this.offline = inner.offline;
  }

  generate(request: AnswerRequest, options?: ChatCallOptions): Promise<ChatResult> {
    return this.meter('answer', options, () => this.inner.generate(request, options));
  }

  async *stream(request: AnswerRequest, options?: ChatCallOptions): AsyncIterable<ChatStreamPart> {
    const call = this.start('answer', options);
    let usage = NO_USAGE;
    try {
      for await (const part of this.inner.stream(request, options)) {
        if (part.type === 'usage') usage = part.usage;
        yield part;
      }
      call.succeeded(usage);
    } catch (error) {
      call.failed(error);
      throw error;
    } finally {
      call.abandoned();
    }
  }

  condense(input: CondenseInput, options?: ChatCallOptions): Promise<ChatResult> {
    return this.meter('condense', options, () => this.inner.condense(input, options));
  }

  summarise(input: SummariseInput, options?: ChatCallOptions): Promise<ChatResult> {
    return this.meter('summarise', options, () => this.inner.summarise(input, options));
  }

  failureKind(error: unknown): string {
    return this.inner.failureKind?.(error) ?? 'unknown';
  }

  private async meter(operation: Operation, options: ChatCallOptions | undefined, run: () => Promise<ChatResult>): Promise<ChatResult> {
    const call = this.start(operation, options);
    try {
      const result = await run();
      call.succeeded(result.usage);
      return result;
    } catch (error) {
      call.failed(error);
      throw error;
    }
  }

  private start(operation: Operation, options: ChatCallOptions | undefined): MeteredCall {
    const labels = { model: this.model, operation };
    const started = performance.now();
    let ended = false;
    const end = (outcome: 'ok' | 'failed'): boolean => {
      if (ended) return false;
      ended = true;
      this.metrics.chatModelDuration.observe({ ...labels, outcome }, (performance.now() - started) / 1000);
      return true;
    };
    const fail = (kind: string) => {
      if (end('failed')) this.metrics.chatModelFailures.inc({ ...labels, kind });
    };
    this.metrics.chatModelCalls.inc(labels);
    return {
      succeeded: (usage) => {
        if (!end('ok')) return;
        this.metrics.chatModelTokens.inc({ ...labels, type: 'prompt' }, usage.promptTokens);
        this.metrics.chatModelTokens.inc({ ...labels, type: 'completion' }, usage.completionTokens);
      },
      failed: (error) => fail(options?.signal?.aborted ? 'aborted' : this.failureKind(error)),
      abandoned: () => fail('aborted'),
    };
  }
}
