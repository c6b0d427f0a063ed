import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { assertStorableInput } from '../lib/storable-input.js';
import type { AccessGuard, RouteAccess } from '../security/access-guard.js';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.js';

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

/** A route declared once: the same schemas validate requests and generate /openapi.json. */
export interface RouteDefinition<
  TBody extends z.ZodType = z.ZodType,
  TQuery extends z.ZodObject = z.ZodObject,
  TParams extends z.ZodObject = z.ZodObject,
> {
  method: 'get' | 'post' | 'delete' | 'put';
  /** Express-style path: `/v1/jobs/:id`. */
  path: string;
  summary: string;
  tags: string[];
  access: RouteAccess;
  body?: TBody;
  query?: TQuery;
  params?: TParams;
  /** Headers documented in OpenAPI (validated by the handler's own middleware). */
  headers?: z.ZodObject;
  responses: Record<number, RouteResponse>;
}

export interface RouteInput<TBody, TQuery, TParams> {
  body: TBody;
  query: TQuery;
  params: TParams;
  req: Request;
  res: Response;
}

/** What a handler returns: a JSON body (status 200 unless given), or nothing when it wrote `res` itself. */
export type RouteResult = { status?: number; body?: unknown; headers?: Record<string, string> } | void;

/** The input as its schema parses it, after the checks every input passes (src/lib/storable-input.ts). */
function validate<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  assertStorableInput(input);
  return schema.parse(input);
}

/**
 * Collects routes into an express router and an OpenAPI registry. Route handlers stay
 * thin: validation and the response shape come from the definition.
 */
export class ApiRouter {
  readonly router = express.Router();
  readonly registry = new OpenAPIRegistry();

  constructor(private readonly guard: AccessGuard) {
    this.registry.registerComponent('securitySchemes', 'apiKey', {
      type: 'http',
      scheme: 'bearer',
      description: 'API key of the calling app (`npm run clients -- create`).',
    });
  }

  add<TBody extends z.ZodType, TQuery extends z.ZodObject, TParams extends z.ZodObject>(
    definition: RouteDefinition<TBody, TQuery, TParams>,
    handler: (input: RouteInput<z.output<TBody>, z.output<TQuery>, z.output<TParams>>) => Promise<RouteResult>,
  ): void {
    this.document(definition);
    this.router[definition.method](definition.path, async (req, res) => {
      await this.guard(req, definition.access);
      const input = {
        body: (definition.body ? validate(definition.body, req.body ?? {}) : undefined) as z.output<TBody>,
        query: (definition.query ? validate(definition.query, req.query) : {}) as z.output<TQuery>,
        params: (definition.params ? validate(definition.params, req.params) : {}) as z.output<TParams>,
        req,
        res,
      };
      const result = await handler(input);
      if (!result || res.headersSent) return;
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      res.status(result.status ?? 200);
      if (result.body === undefined) res.end();
      else res.json(result.body);
    });
  }

  openApiDocument(info: { title: string; version: string; description: string }): unknown {
    return new OpenApiGeneratorV31(this.registry.definitions).generateDocument({
      openapi: '3.1.0',
      info,
    });
  }

  private document(definition: RouteDefinition): void {
    const errorStatuses = [400, ...(definition.access === 'public' ? [] : [401, 403, 429]), 500, 503];
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
    for (const [status, response] of Object.entries(definition.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } } : {}),
      };
    }
    for (const status of errorStatuses) {
      responses[String(status)] ??= {
        description: 'Problem details (RFC 9457).',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
      };
    }
    this.registry.registerPath({
      method: definition.method,
      path: definition.path.replace(/:(\w+)/g, '{$1}'),
      summary: definition.summary,
      tags: definition.tags,
      ...(definition.access === 'public' ? {} : { security: [{ apiKey: [] }] }),
      request: {
        ...(definition.body ? { body: { content: { 'application/json': { schema: definition.body } } } } : {}),
        ...(definition.query ? { query: definition.query } : {}),
        ...(definition.params ? { params: definition.params } : {}),
        ...(definition.headers ? { headers: definition.headers } : {}),
      },
      responses,
    });
  }
}
