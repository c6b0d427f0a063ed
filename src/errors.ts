/**
 * The one error hierarchy of the service. Every failure that reaches a caller is an
 * AppError with an HTTP status and a stable snake_case `code`; the HTTP layer maps it
 * to application/problem+json in one place (src/http/error-handler.ts).
 */
export interface ErrorDetail {
  /** Dotted path of the offending field, when the error is about input. */
  path?: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  details?: ErrorDetail[];
  /** Seconds after which a retry may succeed (429, 503). */
  retryAfterSeconds?: number;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly details: ErrorDetail[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Input that does not match the route's schema (body, query, params, headers). */
export class ValidationError extends AppError {
  readonly status = 400;
  readonly code: string;
  constructor(message: string, options: AppErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'validation_failed';
  }
}

/** No, a bad or a revoked credential; `code` tells which kind (API key, doctor token). */
export class UnauthenticatedError extends AppError {
  readonly status = 401;
  readonly code: string;
  constructor(message: string, options: AppErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'unauthenticated';
  }
}

/** Authenticated but not allowed; `code` tells why (a missing scope, a console call without its CSRF token). */
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code: string;
  constructor(message: string, options: AppErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'forbidden';
  }
}

/** Also used for resources that exist but belong to someone else: no existence leak. */
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, options: AppErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'conflict';
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
}

/** A dependency (database, Redis, OpenAI, the doctor-token JWKS) failed or timed out; the request may be retried. */
export class DependencyError extends AppError {
  readonly status = 503;
  readonly code: string;
  readonly dependency: 'database' | 'redis' | 'openai' | 'jwks';
  constructor(
    dependency: 'database' | 'redis' | 'openai' | 'jwks',
    message: string,
    options: AppErrorOptions & { code?: string } = {},
  ) {
    super(message, options);
    this.dependency = dependency;
    this.code = options.code ?? `${dependency}_unavailable`;
  }
}

/** The service is running but not in a state to serve (schema missing, index mismatch). */
export class ServiceNotReadyError extends AppError {
  readonly status = 503;
  readonly code: string;
  constructor(message: string, options: AppErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'not_ready';
  }
}

/**
 * A problem the service finds in itself, for operators: its configuration, schema or
 * index, the embedded database's lock. Never sent to a client. Its message is written
 * by the service and quotes no request content, so the logs keep it (src/logger.ts).
 */
export class OperatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Configuration or environment problems found at start-up. */
export class ConfigError extends OperatorError {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
