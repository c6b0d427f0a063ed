import express, { type Express, type RequestHandler } from 'express';
import type { Services } from '../services.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { installRequestLogging, routePattern } from './request-logging.js';
import { ApiRouter } from './route.js';
import { registerAdminRoutes } from './routes/admin.routes.js';
import { registerAuditRoutes } from './routes/audit.routes.js';
import { registerChatRoutes } from './routes/chat.routes.js';
import { registerConversationRoutes } from './routes/conversations.routes.js';
import { registerHealthRoutes } from './routes/health.routes.js';
import { registerSearchRoutes } from './routes/search.routes.js';

/**
 * Builds the express app from its dependencies, without listening, so tests run the
 * real app on port 0. This is the one place where routes are mounted.
 */
export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer is computed for its request; hashing each body for an ETag buys nothing.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');

  installRequestLogging(app, services.logger);
  app.use(recordMetrics(services));
  app.use(express.json({ limit: services.config.http.bodyLimitBytes, strict: true }));

  const api = new ApiRouter(services.guard);
  registerHealthRoutes(api, () => services.readiness());
  registerSearchRoutes(api, services.retriever);
  registerAdminRoutes(api, services.ingest);
  registerAuditRoutes(api, services.db.pool);
  registerChatRoutes(api, services.chat.chat);
  registerConversationRoutes(api, services.chat.conversations);
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
      const route = routePattern(req);
      const labels = { method: req.method, route, status: String(res.statusCode) };
      services.metrics.httpRequests.inc(labels);
      services.metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
