import { randomUUID } from 'node:crypto';
import type { Express, Request, RequestHandler } from 'express';
import type { Logger } from '../logger.js';

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;
const UNLOGGED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/metrics']);

/**
 * Request ids and request logs. Every response carries `X-Request-Id` (a caller's valid
 * id is kept, so one id follows a request across services); `req.log` is a child logger
 * bound to `{ req: { id, method } }`; one line per completed request gives its status,
 * time and route pattern. Only ids, sizes and timings: headers may carry keys, and a URL
 * anything a caller typed (a patient's name in a mistyped path), so the route pattern
 * stands for it. `req.log` is made on first use and the line only when its level is
 * enabled: most requests log nothing else, and a child logger per request cost a hit
 * about a tenth of its CPU.
 */
export function installRequestLogging(app: Express, logger: Logger): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      const log = logger.child({ req: { id: this.id, method: this.method } });
      Object.defineProperty(this, 'log', { value: log, configurable: true });
      return log;
    },
  });
  app.use(requestLogging(logger));
}

function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    if (UNLOGGED_PATHS.has(req.url)) return next();
    const started = performance.now();
    const completed = () => {
      res.off('close', completed);
      res.off('finish', completed);
      const level = res.statusCode >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = { res: { status: res.statusCode }, responseTime: Math.round(performance.now() - started), route: routePattern(req) };
      if (!res.writableFinished) req.log.info(line, 'request aborted');
      else req.log[level](line, level === 'error' ? 'request errored' : 'request completed');
    };
    res.on('finish', completed);
    res.on('close', completed);
    next();
  };
}

/** The matched route's pattern (`/v1/admin/jobs/:id`), never the URL itself. */
export function routePattern(req: Request): string {
  return (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
}
