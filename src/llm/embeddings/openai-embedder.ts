import { setMaxListeners } from 'node:events';
import { OpenAI } from 'openai';
import { ConfigError, DependencyError, ValidationError } from '../../errors.js';
import { problemCodeOf, withRetries, type OpenAIFailure, type RetryEvent } from '../openai-failures.js';
import { countTokens, truncateToTokens } from '../tokens.js';
import { EMBEDDING_DIMENSIONS, type EmbedOptions, type Embedder, type EmbeddingResult } from './embedder.js';

/** Limits of OpenAI's embeddings endpoint (text-embedding-3-*). */
export const OPENAI_EMBEDDING_LIMITS = {
  /** Tokens of one input; longer inputs are refused with a 400. */
  maxInputTokens: 8_191,
  /** Inputs in one request. */
  maxInputsPerRequest: 2_048,
  /** Tokens summed over all inputs of one request (exclusive). */
  maxTokensPerRequest: 300_000,
} as const;

export interface OpenAIEmbedderOptions {
  apiKey: string;
  /** Any OpenAI-compatible server (OPENAI_BASE_URL); api.openai.com when unset. */
  baseURL?: string;
  /** Default 'text-embedding-3-small'. */
  model?: string;
  /** Asked of the API and checked on every vector. Default EMBEDDING_DIMENSIONS. */
  dimensions?: number;
  /** Timeout of one HTTP request. Default 30,000. */
  timeoutMs?: number;
  /** Retries of one request on 429, 408, 5xx, network errors and timeouts. Default 4. */
  maxRetries?: number;
  /** Time one request may take with all its retries and waits. Default timeoutMs * (maxRetries + 1). */
  deadlineMs?: number;
  /** Requests in flight at once. Default 4. */
  maxConcurrency?: number;
  /** Inputs packed into one request, at most 2,048. Default 2,048. */
  maxInputsPerRequest?: number;
  /** Tokens packed into one request, below 300,000. Default 250,000: our count may differ a little from the API's. */
  maxTokensPerRequest?: number;
  /** First backoff step; doubles per retry, with jitter. Default 500. */
  retryBaseDelayMs?: number;
  /** Ceiling of one backoff wait (a Retry-After header may ask for more). Default 8,000. */
  maxRetryDelayMs?: number;
  /** Told before each wait, for logs and metrics. */
  onRetry?: (event: RetryEvent) => void;
}

/** An input cut to the per-input token limit; its vector covers only the kept part. */
export interface TruncatedInput {
  index: number;
  tokens: number;
  keptTokens: number;
}

export interface OpenAIEmbeddingResult extends EmbeddingResult {
  /** Inputs that were longer than the model accepts (reported, not thrown). */
  truncated: TruncatedInput[];
}

type EmbeddingsResponse = OpenAI.CreateEmbeddingResponse;

interface Batch {
  /** Index in the caller's array of the batch's first text. */
  start: number;
  texts: string[];
  tokens: number;
}

/**
 * Embeddings from OpenAI (or a compatible server). Texts are packed in order into
 * requests under both the input-count and the token limit, sent with bounded
 * concurrency, retried with backoff on transient failures, and returned in input order.
 * `calls` counts the HTTP requests that succeeded (one per batch); failed attempts are
 * not billed and are reported through `onRetry`.
 *
 * The openai SDK is called directly, one HTTP request per attempt with the caller's
 * signal and its own timeout. LangChain's OpenAIEmbeddings would pass neither, retries
 * with a fixed floor and no deadline, and drops `usage`.
 */
export class OpenAIEmbedder implements Embedder {
  readonly offline = false;
  readonly model: string;
  readonly dimensions: number;

  private readonly client: OpenAI;
  private readonly request: Omit<OpenAI.EmbeddingCreateParams, 'input'>;
  private readonly settings: Settings;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(options: OpenAIEmbedderOptions) {
    this.settings = resolveSettings(options);
    this.model = options.model ?? 'text-embedding-3-small';
    this.dimensions = this.settings.dimensions;
    this.onRetry = options.onRetry;
    // The SDK's own retries are off: attempts are counted and paced by requestWithRetries.
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: this.settings.timeoutMs, maxRetries: 0 });
    this.request = {
      model: this.model,
      dimensions: this.dimensions,
      // Left unset, the SDK asks for base64 (a quarter of the JSON size) and decodes it.
      // Compatible servers often ignore encoding_format and answer floats, which the SDK
      // would then mis-decode as base64; asking for floats is right for both.
      ...(options.baseURL === undefined ? {} : { encoding_format: 'float' as const }),
    };
  }

  async embedDocuments(texts: string[], options: EmbedOptions = {}): Promise<OpenAIEmbeddingResult> {
    if (texts.length === 0) return { vectors: [], calls: 0, tokens: 0, truncated: [] };
    options.signal?.throwIfAborted();

    const { batches, truncated } = this.pack(texts);
    const vectors = new Array<Float32Array>(texts.length);
    let calls = 0;
    let tokens = 0;
    await this.runBounded(batches, options.signal, async (batch, signal) => {
      const response = await this.requestWithRetries(batch.texts, signal);
      const batchVectors = this.readVectors(response, batch.texts.length);
      batchVectors.forEach((vector, offset) => {
        vectors[batch.start + offset] = vector;
      });
      calls += 1;
      tokens += response.usage?.prompt_tokens ?? batch.tokens;
    });
    return { vectors, calls, tokens, truncated };
  }

  async embedQuery(text: string, options: EmbedOptions = {}): Promise<number[]> {
    const { vectors } = await this.embedDocuments([text], options);
    const [vector] = vectors;
    if (vector === undefined) throw new Error('unreachable: one input gave no vector');
    return Array.from(vector);
  }

  /** Packs texts in order; a batch closes when the next text would break either limit. */
  private pack(texts: string[]): { batches: Batch[]; truncated: TruncatedInput[] } {
    // A text may never exceed what one request holds, or it could not be sent at all.
    const inputLimit = Math.min(OPENAI_EMBEDDING_LIMITS.maxInputTokens, this.settings.maxTokensPerRequest);
    const batches: Batch[] = [];
    const truncated: TruncatedInput[] = [];
    let current: Batch = { start: 0, texts: [], tokens: 0 };

    texts.forEach((raw, index) => {
      if (raw.length === 0) {
        // OpenAI answers 400 for an empty input; say which one instead.
        throw new ValidationError('cannot embed an empty text', {
          code: 'embedding_input_empty',
          details: [{ path: `texts.${index}`, message: 'must not be empty' }],
        });
      }
      let text = raw;
      let tokens = countTokens(raw);
      if (tokens > inputLimit) {
        const original = tokens;
        // Decoding a cut token list can end in a partial character that re-encodes longer; cut again until it fits.
        let keep = inputLimit;
        do {
          text = truncateToTokens(raw, keep);
          tokens = countTokens(text);
          keep -= tokens - inputLimit;
        } while (tokens > inputLimit);
        truncated.push({ index, tokens: original, keptTokens: tokens });
      }
      const { maxInputsPerRequest, maxTokensPerRequest } = this.settings;
      const full = current.texts.length >= maxInputsPerRequest || current.tokens + tokens > maxTokensPerRequest;
      if (current.texts.length > 0 && full) {
        batches.push(current);
        current = { start: index, texts: [], tokens: 0 };
      }
      current.texts.push(text);
      current.tokens += tokens;
    });
    batches.push(current);
    return { batches, truncated };
  }

  /** Runs batches with at most maxConcurrency in flight; the first failure stops the rest. */
  private async runBounded(
    batches: Batch[],
    callerSignal: AbortSignal | undefined,
    work: (batch: Batch, signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    // Once one batch has failed the call fails, so vectors still in flight would be paid for nothing.
    const stop = new AbortController();
    const signal = callerSignal === undefined ? stop.signal : AbortSignal.any([callerSignal, stop.signal]);
    // Each request in flight (SDK, fetch) and each backoff wait listens on this signal; past 10 Node warns of a leak.
    setMaxListeners(10 + this.settings.maxConcurrency * 4, signal);
    const failures: unknown[] = [];
    let next = 0;

    const worker = async (): Promise<void> => {
      while (!signal.aborted && next < batches.length) {
        const batch = batches[next];
        next += 1;
        if (batch === undefined) return;
        try {
          await work(batch, signal);
        } catch (error) {
          failures.push(error);
          stop.abort();
        }
      }
    };
    const workers = Math.min(this.settings.maxConcurrency, batches.length);
    await Promise.all(Array.from({ length: workers }, worker));

    callerSignal?.throwIfAborted();
    // Later failures are mostly the aborts caused by the first one.
    if (failures.length > 0) throw failures[0];
  }

  /** One batch: one HTTP request per attempt, with the caller's signal and what is left of the timeout. */
  private requestWithRetries(input: string[], signal: AbortSignal): Promise<EmbeddingsResponse> {
    const { timeoutMs } = this.settings;
    return withRetries(
      this.settings,
      signal,
      (remainingMs) =>
        this.client.embeddings.create(
          { ...this.request, input },
          { signal, timeout: Math.max(1, Math.ceil(Math.min(timeoutMs, remainingMs))), maxRetries: 0 },
        ),
      {
        toError: (failure, attempts, wouldWaitMs) => this.toError(failure, attempts, wouldWaitMs),
        ...(this.onRetry ? { onRetry: this.onRetry } : {}),
      },
    );
  }

  private toError(failure: OpenAIFailure, attempts: number, wouldWaitMs?: number): DependencyError {
    const { kind, status, error } = failure;
    const detail = `${status === undefined ? '' : `${status} `}${error instanceof Error ? error.message : String(error)}`;
    if (kind === 'rejected') {
      return new DependencyError('openai', `OpenAI rejected the embeddings request: ${detail}`, { cause: error, code: problemCodeOf(kind) });
    }
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
    const why =
      wouldWaitMs === undefined
        ? ''
        : ` (a further wait of ${wouldWaitMs} ms would pass the ${this.settings.deadlineMs} ms deadline)`;
    return new DependencyError('openai', `OpenAI embeddings failed after ${tries}${why}: ${detail}`, {
      cause: error,
      code: problemCodeOf(kind),
      ...(failure.retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(failure.retryAfterMs / 1000) }),
    });
  }

  /** Vectors of one response in input order, checked for count and dimensions. */
  private readVectors(response: EmbeddingsResponse, expected: number): Float32Array[] {
    const invalid = (message: string): DependencyError =>
      new DependencyError('openai', message, { code: 'openai_invalid_response' });
    // `data` is typed as always present, but a misbehaving compatible server may omit it.
    const data: EmbeddingsResponse['data'] | undefined = response.data;
    if (!Array.isArray(data) || data.length !== expected) {
      throw invalid(`OpenAI returned ${Array.isArray(data) ? data.length : 'no'} embeddings for ${expected} inputs`);
    }
    const vectors = new Array<Float32Array>(expected);
    data.forEach((item, position) => {
      // The API tags each vector with its input's index; trust that over position.
      const index = typeof item.index === 'number' ? item.index : position;
      const vector: unknown = item.embedding;
      if (!Array.isArray(vector)) throw invalid(`OpenAI returned an embedding that is not a list of numbers`);
      if (vector.length !== this.dimensions) {
        throw invalid(
          `OpenAI returned embeddings of ${vector.length} dimensions, expected ${this.dimensions} (model ${this.model})`,
        );
      }
      if (index < 0 || index >= expected || vectors[index] !== undefined) {
        throw invalid(`OpenAI returned an embedding with index ${index} for ${expected} inputs`);
      }
      vectors[index] = Float32Array.from(toUnitLength(vector as number[]));
    });
    return vectors;
  }
}

type Settings = Readonly<
  Required<Omit<OpenAIEmbedderOptions, 'apiKey' | 'baseURL' | 'model' | 'onRetry'>>
>;

/** Defaults filled in and every number checked, all problems reported at once. */
function resolveSettings(options: OpenAIEmbedderOptions): Settings {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 4;
  const settings: Settings = {
    dimensions: options.dimensions ?? EMBEDDING_DIMENSIONS,
    timeoutMs,
    maxRetries,
    deadlineMs: options.deadlineMs ?? timeoutMs * (maxRetries + 1),
    maxConcurrency: options.maxConcurrency ?? 4,
    maxInputsPerRequest: options.maxInputsPerRequest ?? OPENAI_EMBEDDING_LIMITS.maxInputsPerRequest,
    maxTokensPerRequest: options.maxTokensPerRequest ?? 250_000,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 8_000,
  };

  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const int = (value: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
    Number.isInteger(value) && value >= min && value <= max;
  const { maxInputsPerRequest, maxTokensPerRequest } = OPENAI_EMBEDDING_LIMITS;

  check(options.apiKey.length > 0, 'apiKey must not be empty');
  check(int(settings.dimensions, 1), 'dimensions must be a positive integer');
  check(int(settings.timeoutMs, 1), 'timeoutMs must be a positive integer');
  check(int(settings.maxRetries, 0, 20), 'maxRetries must be an integer from 0 to 20');
  check(int(settings.deadlineMs, 1), 'deadlineMs must be a positive integer');
  check(int(settings.maxConcurrency, 1, 64), 'maxConcurrency must be an integer from 1 to 64');
  check(
    int(settings.maxInputsPerRequest, 1, maxInputsPerRequest),
    `maxInputsPerRequest must be an integer from 1 to ${maxInputsPerRequest}`,
  );
  check(
    int(settings.maxTokensPerRequest, 1, maxTokensPerRequest - 1),
    `maxTokensPerRequest must be a positive integer below ${maxTokensPerRequest}`,
  );
  check(int(settings.retryBaseDelayMs, 0), 'retryBaseDelayMs must be a non-negative integer');
  check(int(settings.maxRetryDelayMs, 0), 'maxRetryDelayMs must be a non-negative integer');
  if (problems.length > 0) throw new ConfigError(`invalid OpenAI embedder options: ${problems.join('; ')}`, problems);
  return Object.freeze(settings);
}

/** OpenAI's vectors are already unit length; some compatible servers' are not. */
function toUnitLength(vector: number[]): number[] {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm === 0 || Math.abs(norm - 1) < 1e-3) return vector;
  return vector.map((value) => value / norm);
}
