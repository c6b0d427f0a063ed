import { pino, type Logger } from 'pino';

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

type ErrorFields = { code?: unknown; status?: unknown; dependency?: unknown; routine?: unknown };

/**
 * Errors are logged by type, codes and stack frames only: a message (or a database
 * error's detail) can quote the input that caused it (`invalid input syntax for type
 * uuid: "<a patient's name>"`), and the first line of a stack repeats the message.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const { code, status, dependency, routine } = error as ErrorFields;
  return {
    type: error.constructor.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof dependency === 'string' ? { dependency } : {}),
    ...(typeof routine === 'string' ? { routine } : {}),
    stack: (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.trim()),
    ...(error.cause !== undefined && depth < 3 ? { cause: serializeError(error.cause, depth + 1) } : {}),
  };
}
