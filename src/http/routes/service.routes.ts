import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { ApiRouter } from '../route.js';

/** What operators and tools read about the service: its metrics and its contract. */
export function registerServiceRoutes(api: ApiRouter, metrics: Registry): void {
  api.add(
    {
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of this process (text exposition format).',
      tags: ['operations'],
      access: 'public',
      responses: { 200: { description: 'The metrics.', schema: z.string(), contentType: 'text/plain' } },
    },
    async ({ res }) => {
      res.type(metrics.contentType).send(await metrics.metrics());
    },
  );

  api.add(
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This document (OpenAPI 3.1), generated from the schemas that validate each route.',
      tags: ['operations'],
      access: 'public',
      responses: { 200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) } },
    },
    () => Promise.resolve({ body: api.openApiDocument() }),
  );
}
