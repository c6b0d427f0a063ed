import type { Request } from 'express';

/** The id pino-http gave the request (app.ts always generates a string). */
export function requestId(req: Request): string {
  return typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : 'unknown';
}
