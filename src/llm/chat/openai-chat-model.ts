import { AIMessage, HumanMessage, SystemMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { DependencyError } from '../../errors.js';
import { classifyOpenAIError, failureKindOf, IncompleteReplyError, problemCodeOf, withRetries, type OpenAIFailure } from '../openai-failures.js';
import { countTokens, truncateToTokens } from '../tokens.js';
import type {
  AnswerRequest,
  ChatCallOptions,
  ChatMessage,
  ChatModel,
  ChatResult,
  ChatStreamPart,
  ChatUsage,
  CondenseInput,
  SummariseInput,
} from './chat-model.js';
import { condenseMessages, summariseMessages } from './conversation-prompts.js';

export interface OpenAIChatModelOptions {
  apiKey: string;
  /** Any OpenAI-compatible server (OPENAI_BASE_URL); api.openai.com when unset. */
  baseURL?: string;
  model: string;
  temperature: number;
  /** Longest wait for the reply to start, and between two streamed tokens. */
  timeoutMs: number;
  /** Retries on 429, 408, 5xx, network errors and timeouts (never once a token was streamed). */
  maxRetries: number;
  /** Time one call may take with all its retries and waits. Default timeoutMs * (maxRetries + 1). */
  deadlineMs?: number;
  /** First backoff step; doubles per retry, with jitter. Default 500. */
  retryBaseDelayMs?: number;
  /** Ceiling of one backoff wait. Default 8,000. */
  maxRetryDelayMs?: number;
}

/** One attempt's signal: the caller's abort, or our own timeout when the provider goes quiet. */
interface Attempt {
  signal: AbortSignal;
  /** Restarts the quiet-time clock (a token arrived). */
  touch(): void;
  timedOut(): boolean;
  end(): void;
}

/**
 * Chat through LangChain's ChatOpenAI. LangChain's own retries are off (its caller has a
 * fixed backoff floor and no deadline); this class retries transient failures with
 * backoff inside a deadline and then throws DependencyError('openai') -> 503. A stream is
 * retried only until its first token: after that the client has seen text.
 *
 * A reply counts only when the provider said it finished (a finish reason): a 200 whose
 * body is no completion, or a stream cut before its end, throws openai_incomplete_reply,
 * so the chat use case stores and caches nothing of it.
 */
export class OpenAIChatModel implements ChatModel {
  readonly offline = false;
  readonly model: string;
  private readonly client: ChatOpenAI;
  private readonly settings: Required<Omit<OpenAIChatModelOptions, 'apiKey' | 'baseURL' | 'model' | 'temperature'>>;

  constructor(options: OpenAIChatModelOptions) {
    this.model = options.model;
    this.settings = {
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      deadlineMs: options.deadlineMs ?? options.timeoutMs * (options.maxRetries + 1),
      retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 8_000,
    };
    this.client = new ChatOpenAI({
      model: options.model,
      temperature: options.temperature,
      apiKey: options.apiKey,
      timeout: options.timeoutMs,
      maxRetries: 0,
      streamUsage: true,
      ...(options.baseURL === undefined ? {} : { configuration: { baseURL: options.baseURL } }),
    });
  }

  async generate(request: AnswerRequest, options: ChatCallOptions = {}): Promise<ChatResult> {
    const result = await this.complete(request.messages, options.signal);
    if (result.text.trim() === '') throw this.incomplete('a finished reply with no text');
    return result;
  }

  async *stream(request: AnswerRequest, options: ChatCallOptions = {}): AsyncIterable<ChatStreamPart> {
    const messages = toLangChain(request.messages);
    let attempt: Attempt | undefined;
    // Retried as a whole until the first part arrives; the stream then continues on that attempt.
    const { iterator, first } = await this.withAttempts(options.signal, async (current) => {
      attempt = current;
      const stream = await this.client.stream(messages, { signal: current.signal });
      const opened = stream[Symbol.asyncIterator]();
      return { iterator: opened, first: await opened.next() };
    });
    const live = attempt!;
    let text = '';
    let usage: ChatUsage | undefined;
    let finishReason: string | undefined;
    let finished = false;
    try {
      for (let next = first; !next.done; next = await this.nextPart(iterator, live, options.signal)) {
        live.touch();
        const chunk: AIMessageChunk = next.value;
        finishReason ??= finishReasonOf(chunk);
        if (chunk.usage_metadata) usage = fromUsageMetadata(chunk.usage_metadata);
        const delta = chunk.text;
        if (delta) {
          text += delta;
          yield { type: 'token', text: delta };
        }
      }
      finished = true;
    } finally {
      live.end();
      // A consumer that stops early (client gone) releases the HTTP stream too.
      if (!finished) await iterator.return?.().catch(() => undefined);
    }
    // The SDK ends a stream quietly when the body ends, whether or not the model had finished.
    if (finishReason === undefined) throw this.incomplete(text ? 'a stream cut before the model finished' : 'a reply with no completion in it');
    if (text.trim() === '') throw this.incomplete('a finished stream with no text');
    yield { type: 'usage', usage: usage ?? estimateUsage(request.messages, text) };
  }

  condense(input: CondenseInput, options: ChatCallOptions = {}): Promise<ChatResult> {
    return this.complete(condenseMessages(input), options.signal);
  }

  async summarise(input: SummariseInput, options: ChatCallOptions = {}): Promise<ChatResult> {
    const result = await this.complete(summariseMessages(input), options.signal);
    // The model is asked to stay under the budget; the cut makes sure.
    return { ...result, text: truncateToTokens(result.text.trim(), input.maxTokens) };
  }

  failureKind(error: unknown): string {
    return failureKindOf(error);
  }

  private async complete(messages: ChatMessage[], signal: AbortSignal | undefined): Promise<ChatResult> {
    return this.withAttempts(signal, async (attempt) => {
      try {
        const reply = await this.client.invoke(toLangChain(messages), { signal: attempt.signal });
        // LangChain makes an empty message of a body that is not a completion (`{"choices":"nope"}`).
        if (finishReasonOf(reply) === undefined) throw new IncompleteReplyError('a reply without a finish reason');
        const text = reply.text;
        return { text, usage: reply.usage_metadata ? fromUsageMetadata(reply.usage_metadata) : estimateUsage(messages, text) };
      } finally {
        attempt.end();
      }
    });
  }

  private async nextPart(
    iterator: AsyncIterator<AIMessageChunk>,
    attempt: Attempt,
    signal: AbortSignal | undefined,
  ): Promise<IteratorResult<AIMessageChunk>> {
    try {
      return await iterator.next();
    } catch (error) {
      signal?.throwIfAborted();
      throw this.toError(attempt.timedOut() ? { kind: 'timeout', retryable: false, error } : classifyOpenAIError(error), 1);
    }
  }

  /** Attempts (each with its own quiet-time clock) until success, a permanent failure, maxRetries or the deadline. */
  private withAttempts<T>(signal: AbortSignal | undefined, run: (attempt: Attempt) => Promise<T>): Promise<T> {
    let current: Attempt | undefined;
    return withRetries(
      this.settings,
      signal,
      async (remainingMs) => {
        current = startAttempt(signal, Math.max(1, Math.min(this.settings.timeoutMs, remainingMs)));
        try {
          return await run(current);
        } catch (error) {
          current.end();
          throw error;
        }
      },
      {
        // Our own timer aborted the attempt: whatever LangChain made of that, it is a timeout.
        classify: (error) => (current?.timedOut() ? { kind: 'timeout', retryable: true, error } : classifyOpenAIError(error)),
        toError: (failure, attempts) => this.toError(failure, attempts),
      },
    );
  }

  /** A reply that is not a whole answer, as the error the client gets (nothing is kept). */
  private incomplete(what: string): DependencyError {
    return this.toError({ kind: 'incomplete', retryable: false, error: new IncompleteReplyError(what) }, 1);
  }

  private toError(failure: OpenAIFailure, attempts: number): DependencyError {
    const { kind, status, error } = failure;
    const detail = `${status === undefined ? '' : `${status} `}${error instanceof Error ? error.message : String(error)}`;
    return new DependencyError('openai', `The language model (${this.model}) ${FAILURE_WORDS[kind] ?? 'is unavailable'} after ${attempts} attempt(s): ${detail}`, {
      cause: error,
      code: problemCodeOf(kind),
      retryAfterSeconds: failure.retryAfterMs === undefined ? 5 : Math.max(1, Math.ceil(failure.retryAfterMs / 1000)),
    });
  }
}

/** The words of a failed call, by kind; any other kind "is unavailable". */
const FAILURE_WORDS: Partial<Record<OpenAIFailure['kind'], string>> = {
  timeout: 'did not answer in time',
  rejected: 'rejected the request',
  incomplete: 'sent an incomplete reply',
};

/** The reason the model gave for ending its reply: its word that the reply is whole. */
function finishReasonOf(message: { response_metadata?: Record<string, unknown> }): string | undefined {
  const reason = message.response_metadata?.finish_reason;
  return typeof reason === 'string' && reason !== '' ? reason : undefined;
}

function startAttempt(callerSignal: AbortSignal | undefined, timeoutMs: number): Attempt {
  const own = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      own.abort(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
  };
  arm();
  return {
    signal: callerSignal ? AbortSignal.any([callerSignal, own.signal]) : own.signal,
    touch: arm,
    timedOut: () => timedOut,
    end: () => clearTimeout(timer),
  };
}

function toLangChain(messages: ChatMessage[]): BaseMessage[] {
  return messages.map((message) =>
    message.role === 'system'
      ? new SystemMessage(message.content)
      : message.role === 'user'
        ? new HumanMessage(message.content)
        : new AIMessage(message.content),
  );
}

function fromUsageMetadata(usage: { input_tokens: number; output_tokens: number; total_tokens: number }): ChatUsage {
  return { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, totalTokens: usage.total_tokens };
}

/** Compatible servers do not always report usage; our own count is close enough to budget with. */
function estimateUsage(messages: ChatMessage[], text: string): ChatUsage {
  const promptTokens = messages.reduce((sum, message) => sum + countTokens(message.content) + 4, 0);
  const completionTokens = countTokens(text);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
