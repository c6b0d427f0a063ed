import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Services } from '../services.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { ApiRouter } from './route.js';
import { registerHealthRoutes } from './routes/health.routes.js';

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

/**
 * Builds the express app from its dependencies, without listening, so tests run the
 * real app on port 0. This is the one place where routes are mounted.
 */
export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(
    pinoHttp({
      logger: services.logger,
      // A caller's request id is kept so one id follows a request across services.
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Only ids, sizes and timings: URLs carry no content, headers may carry keys.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  app.use(recordMetrics(services));
  app.use(express.json({ limit: services.config.http.bodyLimitBytes, strict: true }));

  const api = new ApiRouter(services.guard);
  registerHealthRoutes(api, () => services.readiness());
  app.use(api.router);

  const openApi = api.openApiDocument({
    title: 'LLM assistant API',
    version: '1.0.0',
    description: 'Retrieval-augmented medical assistant: chat with citations, search, ingestion.',
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

function recordMetrics(services: Services): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The route pattern, not the URL, so ids do not explode the label set.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      services.metrics.httpRequests.inc(labels);
      services.metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
