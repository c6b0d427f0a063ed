import type { Response } from 'express';

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // Proxies (nginx) must pass events on as they come.
  'X-Accel-Buffering': 'no',
};

/** Writes one server-sent event, opening the stream (200 and its headers) with the first. */
export function writeEvent(res: Response, event: string, data: unknown): void {
  if (!res.headersSent) res.writeHead(200, SSE_HEADERS);
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
