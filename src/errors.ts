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
  /** A more precise code than the class's own (`invalid_doctor_token` for a 401). */
  code?: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, defaultCode: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaultCode;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** An AppError class: its HTTP status, and the code of its errors unless one names another. */
function appErrorClass(status: number, defaultCode: string) {
  return class extends AppError {
    readonly status = status;
    constructor(message: string, options: AppErrorOptions = {}) {
      super(message, defaultCode, options);
    }
  };
}

/** Input that does not match the route's schema (body, query, params, headers). */
export class ValidationError extends appErrorClass(400, 'validation_failed') {}

/** No, a bad or a revoked credential; `code` tells which kind (API key, doctor token). */
export class UnauthenticatedError extends appErrorClass(401, 'unauthenticated') {}

/** Authenticated but not allowed; `code` tells why (a missing scope, a console call without its CSRF token). */
export class ForbiddenError extends appErrorClass(403, 'forbidden') {}

/** Also used for resources that exist but belong to someone else: no existence leak. */
export class NotFoundError extends appErrorClass(404, 'not_found') {}

/** The path exists, but not with this method. */
export class MethodNotAllowedError extends appErrorClass(405, 'method_not_allowed') {
  constructor(
    message: string,
    readonly allowed: string[],
  ) {
    super(message);
  }
}

export class ConflictError extends appErrorClass(409, 'conflict') {}

export class PayloadTooLargeError extends appErrorClass(413, 'payload_too_large') {}

export class UnsupportedMediaTypeError extends appErrorClass(415, 'unsupported_media_type') {}

export class RateLimitedError extends appErrorClass(429, 'rate_limited') {}

/** A dependency (database, Redis, OpenAI, the doctor-token JWKS) failed or timed out; the request may be retried. */
export class DependencyError extends AppError {
  readonly status = 503;
  constructor(
    readonly dependency: 'database' | 'redis' | 'openai' | 'jwks',
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, `${dependency}_unavailable`, options);
  }
}

/** The service is running but not in a state to serve (schema missing, index mismatch). */
export class ServiceNotReadyError extends appErrorClass(503, 'not_ready') {}

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
