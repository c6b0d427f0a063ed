import { setTimeout as sleep } from 'node:timers/promises';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { DependencyError } from '../errors.js';

/**
 * How an OpenAI call failed, and whether trying again can help. Understands both the
 * SDK's errors and the shapes LangChain turns them into (a timeout becomes a plain
 * Error named TimeoutError; statuses stay on the error).
 */
export type OpenAIFailureKind = 'rate_limited' | 'server_error' | 'timeout' | 'network' | 'rejected' | 'incomplete' | 'unknown';

export interface OpenAIFailure {
  kind: OpenAIFailureKind;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  error: unknown;
}

/**
 * A reply that came back 200 but is not a whole completion: a body that is no stream or
 * no completion (an HTML page, `{"choices":[]}`), or a stream that ended before the
 * model said it had finished. Its text must not be taken for an answer.
 */
export class IncompleteReplyError extends Error {
  override readonly name = 'IncompleteReplyError';
}

/** Sorts an error of an OpenAI call into retryable or not, keeping what a retry needs. */
export function classifyOpenAIError(error: unknown): OpenAIFailure {
  // The same server would send the same kind of body again: not retried, like any bad body.
  if (error instanceof IncompleteReplyError) return { kind: 'incomplete', retryable: false, error };
  // Timeout before connection error: the SDK's timeout error is a subclass of it.
  if (error instanceof APIConnectionTimeoutError || (error instanceof Error && error.name === 'TimeoutError')) {
    return { kind: 'timeout', retryable: true, error };
  }
  if (error instanceof APIConnectionError) return { kind: 'network', retryable: true, error };
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number') {
    const headers = error instanceof APIError ? (error.headers as Headers | undefined) : undefined;
    const retryAfterMs = retryAfterFrom(headers);
    const withRetryAfter = retryAfterMs === undefined ? {} : { retryAfterMs };
    if (status === 429) {
      // An exhausted quota or billing problem does not pass with a wait.
      if ((error as { code?: unknown }).code === 'insufficient_quota') return { kind: 'rejected', retryable: false, status, error };
      return { kind: 'rate_limited', retryable: true, status, error, ...withRetryAfter };
    }
    if (status === 408) return { kind: 'timeout', retryable: true, status, error, ...withRetryAfter };
    if (status >= 500) return { kind: 'server_error', retryable: true, status, error, ...withRetryAfter };
    return { kind: 'rejected', retryable: false, status, error };
  }
  // Anything else (a body that is not JSON, a bug) would fail the same way again.
  return { kind: 'unknown', retryable: false, error };
}

/**
 * The kind of failure behind an error an OpenAI model class threw: its DependencyError
 * keeps the provider's error as the cause, except for our own quiet-time timeout.
 */
export function failureKindOf(error: unknown): OpenAIFailureKind {
  if (!(error instanceof DependencyError)) return classifyOpenAIError(error).kind;
  return error.code === 'openai_timeout' ? 'timeout' : classifyOpenAIError(error.cause).kind;
}

/** Milliseconds from `retry-after-ms` (OpenAI, Azure) or `retry-after` (seconds or an HTTP date). */
export function retryAfterFrom(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers?.get('retry-after');
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with "equal jitter": half fixed, half random, so parallel retries spread out. */
export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** How often and how long an OpenAI call is tried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Time the call may take with all its attempts and waits. */
  deadlineMs: number;
  /** First backoff step; doubles per retry, with jitter. */
  retryBaseDelayMs: number;
  /** Ceiling of one backoff wait (a Retry-After header may ask for more). */
  maxRetryDelayMs: number;
}

export interface RetryEvent {
  /** 1-based number of the attempt that failed. */
  attempt: number;
  delayMs: number;
  reason: OpenAIFailureKind;
  status?: number;
}

export interface RetryHandlers {
  /** Sorts an attempt's error; classifyOpenAIError by default. */
  classify?: (error: unknown) => OpenAIFailure;
  /** The error thrown once no attempt is left; `wouldWaitMs` when the next wait would pass the deadline. */
  toError: (failure: OpenAIFailure, attempts: number, wouldWaitMs?: number) => Error;
  /** Told before each wait, for logs and metrics. */
  onRetry?: (event: RetryEvent) => void;
}

/**
 * Runs `attempt` (given the time left before the deadline) until it succeeds, fails for
 * good, has been retried maxRetries times, or the next wait would pass the deadline. A
 * wait honours Retry-After, else backs off. An abort is the caller's decision, whatever
 * the SDK or LangChain made of it: it is rethrown as the signal's reason.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (remainingMs: number) => Promise<T>,
  handlers: RetryHandlers,
): Promise<T> {
  const deadline = performance.now() + policy.deadlineMs;
  for (let number = 1; ; number += 1) {
    signal?.throwIfAborted();
    let failure: OpenAIFailure;
    try {
      return await attempt(deadline - performance.now());
    } catch (error) {
      signal?.throwIfAborted();
      failure = (handlers.classify ?? classifyOpenAIError)(error);
    }
    if (!failure.retryable || number > policy.maxRetries) throw handlers.toError(failure, number);
    const delayMs = failure.retryAfterMs ?? backoffMs(number, policy.retryBaseDelayMs, policy.maxRetryDelayMs);
    if (performance.now() + delayMs >= deadline) throw handlers.toError(failure, number, delayMs);
    handlers.onRetry?.({ attempt: number, delayMs, reason: failure.kind, ...(failure.status === undefined ? {} : { status: failure.status }) });
    await sleep(delayMs, undefined, { signal }).catch((error: unknown) => {
      signal?.throwIfAborted();
      throw error;
    });
  }
}

/** The problem code of a call that failed this way (the HTTP status is 503 for all). */
export function problemCodeOf(kind: OpenAIFailureKind): string {
  return FAILURE_CODES[kind] ?? 'openai_unavailable';
}

const FAILURE_CODES: Partial<Record<OpenAIFailureKind, string>> = {
  timeout: 'openai_timeout',
  rejected: 'openai_rejected',
  incomplete: 'openai_incomplete_reply',
};
