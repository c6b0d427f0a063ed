import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/database.js';
import { isAppError, NotFoundError, type ErrorDetail } from '../errors.js';
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

/** Maps any thrown value to the problem it is for the caller. The one place errors meet HTTP. */
export function toProblemFields(error: unknown): Mapped {
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
  if (isDatabaseUnavailable(error)) {
    return { status: 503, code: 'database_unavailable', detail: 'The database is unavailable; retry shortly.', retryAfterSeconds: 5 };
  }
  return { status: 500, code: 'internal_error', detail: 'An unexpected error occurred.' };
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
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
};
