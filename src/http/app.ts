import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { IndexCatalog } from '../ingest/index-catalog.repository.js';
import type { Services } from '../services.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { installRequestLogging, routePattern } from './request-logging.js';
import { ApiRouter } from './route.js';
import { mountAdminConsole } from './admin-console/console-pages.js';
import { registerAdminRoutes } from './routes/admin.routes.js';
import { registerAdminDebugRoutes } from './routes/admin-debug.routes.js';
import { registerAdminIndexRoutes } from './routes/admin-index.routes.js';
import { registerAdminJobRoutes } from './routes/admin-jobs.routes.js';
import { registerAdminSessionRoutes } from './routes/admin-session.routes.js';
import { registerAuditRoutes } from './routes/audit.routes.js';
import { registerChatRoutes } from './routes/chat.routes.js';
import { registerConversationRoutes } from './routes/conversations.routes.js';
import { registerHealthRoutes } from './routes/health.routes.js';
import { registerSearchRoutes } from './routes/search.routes.js';
import { registerServiceRoutes } from './routes/service.routes.js';

const API_INFO = {
  title: 'LLM assistant API',
  version: '1.0.0',
  description: 'Retrieval-augmented medical assistant: chat with citations, search, ingestion.',
};

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
  app.use(securityHeaders());
  app.use(recordMetrics(services));
  // Not strict: a body of `"text"` or `null` is JSON, and the route says it must be an object.
  app.use(express.json({ limit: services.config.http.bodyLimitBytes, strict: false }));

  const api = new ApiRouter(services.guard, API_INFO);
  registerHealthRoutes(api, () => services.readiness());
  registerServiceRoutes(api, services.metrics.registry);
  registerSearchRoutes(api, services.retriever);
  registerAdminRoutes(api, services.ingest);
  registerAuditRoutes(api, services.db.pool);
  registerChatRoutes(api, services.chat.chat);
  registerConversationRoutes(api, services.chat.conversations);
  registerAdminSessionRoutes(api, services.adminSessions);
  registerAdminIndexRoutes(api, {
    db: services.db.pool,
    catalog: new IndexCatalog(services.db.pool),
    ingest: services.ingest,
    readiness: () => services.readiness(),
  });
  registerAdminJobRoutes(api, services.ingest);
  registerAdminDebugRoutes(api, { explainer: services.searchExplainer, chat: services.chat.chat, metrics: services.metrics });
  app.use(api.router);
  mountAdminConsole(app, services.adminSessions, services.config.adminConsole.dir);
  app.use(api.methodFallback);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/**
 * Headers of every response, the admin console's pages included: scripts, styles and
 * connections from this origin only (no inline script), never framed, no MIME sniffing.
 */
function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
  });
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
      if (res.statusCode === 429) services.metrics.rateLimited.inc({ method: req.method, route });
    });
    next();
  };
}
