import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/database.js';
import { isAppError, MethodNotAllowedError, NotFoundError, type ErrorDetail } from '../errors.js';
import { PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

interface Mapped {
  status: number;
  code: string;
  detail: string;
  errors?: ErrorDetail[];
  retryAfterSeconds?: number;
}

/** body-parser marks its errors with `type`; they are the client's fault, never a 500. */
interface BodyParserError {
  type: string;
  status?: number;
}
const BODY_PARSER_ERRORS: Record<string, Omit<Mapped, 'detail'>> = {
  'entity.parse.failed': { status: 400, code: 'malformed_json' },
  'entity.too.large': { status: 413, code: 'payload_too_large' },
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset' },
  'request.aborted': { status: 400, code: 'request_aborted' },
  'entity.verify.failed': { status: 400, code: 'malformed_body' },
};

/** What a client is asked to wait after a 503 whose error names no time of its own. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Maps any thrown value to the problem it is for the caller. The one place errors meet HTTP. */
export function toProblemFields(error: unknown): Mapped {
  const mapped = mapError(error);
  // Every 503 says when to come back: a client without the header retries at once, or never.
  if (mapped.status === 503 && mapped.retryAfterSeconds === undefined) return { ...mapped, retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS };
  return mapped;
}

function mapError(error: unknown): Mapped {
  if (isAppError(error)) {
    return {
      status: error.status,
      code: error.code,
      detail: error.message,
      errors: error.details,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof ZodError) {
    return {
      status: 400,
      code: 'validation_failed',
      detail: 'The request does not match the expected schema.',
      errors: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    };
  }
  const bodyError = error as Partial<BodyParserError>;
  if (typeof bodyError?.type === 'string' && BODY_PARSER_ERRORS[bodyError.type]) {
    const mapped = BODY_PARSER_ERRORS[bodyError.type]!;
    const detail =
      mapped.code === 'malformed_json' ? 'The request body is not valid JSON.' : (error as Error).message;
    return { ...mapped, detail };
  }
  const clientError = clientErrorOf(error);
  if (clientError) return clientError;
  if (isDatabaseUnavailable(error)) {
    return { status: 503, code: 'database_unavailable', detail: 'The database is unavailable; retry shortly.', retryAfterSeconds: 5 };
  }
  return { status: 500, code: 'internal_error', detail: 'An unexpected error occurred.' };
}

/** Problem codes of 4xx errors raised outside our code, by status. */
const CLIENT_ERROR_CODES: Record<number, string> = { 400: 'bad_request', 413: 'payload_too_large', 415: 'unsupported_media_type' };

/**
 * Errors raised by express and its parsers before any route runs carry a 4xx `status`
 * (or `statusCode`): a path parameter that is not percent-encoding (the router's
 * URIError), a body that does not decompress (zlib's error, which body-parser marks with
 * http-errors' `expose`). They are the client's fault, never a 500. Another library's
 * error with a status (an upstream's 4xx) is not the client's: it stays a 500.
 */
function clientErrorOf(error: unknown): Mapped | null {
  if (!(error instanceof Error)) return null;
  const { status: given, statusCode, errno, expose } = error as Error & { status?: unknown; statusCode?: unknown; errno?: unknown; expose?: unknown };
  const status = given ?? statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  if (error instanceof URIError) {
    return { status: 400, code: 'malformed_path', detail: 'A path segment is not valid percent-encoding.' };
  }
  if (expose !== true) return null;
  if (typeof errno === 'number') {
    return { status: 400, code: 'malformed_body', detail: 'The request body does not decompress as its Content-Encoding says.' };
  }
  return { status, code: CLIENT_ERROR_CODES[status] ?? 'client_error', detail: error.message };
}

export function buildProblem(error: unknown, requestId: string, instance?: string): Problem & { retryAfterSeconds?: number } {
  const mapped = toProblemFields(error);
  return {
    type: `urn:llm-assistant:problem:${mapped.code}`,
    title: TITLES[mapped.status] ?? 'Error',
    status: mapped.status,
    detail: mapped.detail,
    code: mapped.code,
    requestId,
    ...(instance ? { instance } : {}),
    ...(mapped.errors?.length ? { errors: mapped.errors } : {}),
    ...(mapped.retryAfterSeconds !== undefined ? { retryAfterSeconds: mapped.retryAfterSeconds } : {}),
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}.`));
};

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  const { retryAfterSeconds, ...problem } = buildProblem(error, req.id, req.originalUrl.split('?')[0]);
  if (problem.status >= 500) {
    req.log.error({ err: error, code: problem.code }, 'request failed');
  } else {
    req.log.info({ code: problem.code, status: problem.status }, 'request rejected');
  }
  if (res.headersSent) {
    // A streamed response already started: the stream writes its own error event.
    next(error);
    return;
  }
  for (const [name, value] of Object.entries(problemHeaders(error, problem.status, retryAfterSeconds))) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
};

/**
 * Headers HTTP asks of some statuses: how to authenticate after a 401 (RFC 9110, RFC
 * 6750), the methods of the path after a 405, when to come back after a 429 or 503.
 */
function problemHeaders(error: unknown, status: number, retryAfterSeconds: number | undefined): Record<string, string> {
  return {
    ...(status === 401 ? { 'WWW-Authenticate': 'Bearer realm="llm-assistant"' } : {}),
    ...(error instanceof MethodNotAllowedError ? { Allow: [...error.allowed].sort().join(', ') } : {}),
    ...(retryAfterSeconds !== undefined ? { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } : {}),
  };
}
