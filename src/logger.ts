import { pino, type Logger } from 'pino';
import { OperatorError } from './errors.js';

export type { Logger };

/**
 * Structured JSON logs. Medical content never goes into a log line: callers log ids,
 * sizes, timings and codes. The redact list is a second line of defence for fields
 * that could carry message text or patient data if someone logs an object whole.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'llm-assistant' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-doctor-token"]',
          'req.headers.cookie',
          '*.message',
          '*.answer',
          '*.question',
          '*.content',
          '*.text',
          '*.firstName',
          '*.lastName',
          'body',
        ],
        censor: '[redacted]',
      },
      serializers: { err: serializeError },
    },
    destination ?? process.stdout,
  );
}

type ErrorFields = { code?: unknown; status?: unknown; dependency?: unknown; routine?: unknown; syscall?: unknown; path?: unknown };

/**
 * Errors are logged by type, codes and stack frames: a message (or a database error's
 * detail) can quote the input that caused it (`invalid input syntax for type uuid: "<a
 * patient's name>"`), and the first line of a stack repeats the message. The message is
 * kept, as `reason`, only when it cannot hold request content (see readableMessage).
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const { code, status, dependency, routine, syscall } = error as ErrorFields;
  const reason = readableMessage(error);
  const nested = depth < 3;
  return {
    type: error.constructor.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof dependency === 'string' ? { dependency } : {}),
    ...(typeof routine === 'string' ? { routine } : {}),
    ...(typeof syscall === 'string' ? { syscall } : {}),
    ...(reason === undefined ? {} : { reason }),
    stack: (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.trim()),
    ...(error.cause !== undefined && nested ? { cause: serializeError(error.cause, depth + 1) } : {}),
    // A connection to a name with several addresses fails with one error per address.
    ...(error instanceof AggregateError && nested ? { errors: (error.errors as unknown[]).slice(0, 4).map((each) => serializeError(each, depth + 1)) } : {}),
  };
}

/**
 * The message of an error that carries no request content: one the service wrote about
 * itself (OperatorError: configuration, migrations, the index), or a system call's
 * (`listen EADDRINUSE: address already in use 127.0.0.1:3000`, `connect ECONNREFUSED
 * ...`), unless it names a file path, which may have come from a request.
 */
function readableMessage(error: Error): string | undefined {
  if (error instanceof OperatorError) return error.message;
  const { code, syscall, path } = error as ErrorFields;
  if (typeof syscall === 'string' && typeof code === 'string' && path === undefined) return error.message;
  return undefined;
}
