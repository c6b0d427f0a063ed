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
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? process.stdout,
  );
}
