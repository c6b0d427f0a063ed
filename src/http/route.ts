import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { MethodNotAllowedError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { assertStorableInput } from '../lib/storable-input.js';
import type { AccessGuard, RouteAccess } from '../security/access-guard.js';
import { SESSION_COOKIE } from './admin-console/console-session.js';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.js';

/** The tags of the document: every route has one or more of these, and each is described once. */
const TAGS = {
  chat: 'Grounded answers with citations, and the conversations they belong to.',
  search: 'Hybrid search over documentation and records, and module detection.',
  admin: 'Ingestion, jobs, audit trail and index inspection (admin scope).',
  'admin console': "Sign-in and sign-out of the admin console's browser session.",
  operations: 'Liveness, readiness, metrics and this document: no key needed.',
} as const;
export type ApiTag = keyof typeof TAGS;

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  /** The same response as server-sent events, for `Accept: text/event-stream`; described by `description`. */
  eventStream?: string;
  /** Response headers the caller can rely on, by name. */
  headers?: Record<string, string>;
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
  /** Stable name of the operation: the typed client's method names come from it. */
  operationId: string;
  summary: string;
  /** What the summary leaves out: rules across fields, streaming, compatibility. */
  description?: string;
  tags: ApiTag[];
  access: RouteAccess;
  body?: TBody;
  /** Parses the body instead of `body.parse`, for a body whose errors are reported in a shape of their own. */
  parseBody?: (input: unknown) => z.output<TBody>;
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
 * The JSON body of a request to a route that takes one: 415 for a body that is not JSON,
 * 400 for a JSON string, number or null (an array is the schema's to refuse, with its
 * nesting checked first). No body at all reads as `{}`, so the schema names the fields it lacks.
 */
function jsonBody(req: Request): unknown {
  if (req.is('application/json') === false) {
    throw new UnsupportedMediaTypeError(`The request body must be application/json, not ${req.headers['content-type'] ?? 'untyped'}.`);
  }
  const body: unknown = req.body;
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null) {
    throw new ValidationError('The request body must be a JSON object.', { code: 'body_not_object', details: [{ path: 'body', message: 'expected a JSON object' }] });
  }
  return body;
}

const RETRY_AFTER = { 'Retry-After': 'Seconds to wait before retrying.' };
const HEADER_SCHEMAS: Record<string, { type: 'integer'; minimum: number }> = { 'Retry-After': { type: 'integer', minimum: 1 } };
const PROBLEM_STATUSES: Record<number, string> = {
  400: 'The request is malformed or does not match its schema (`errors` names each field).',
  401: 'No API key, or an invalid or revoked one (or an invalid doctor token); `WWW-Authenticate: Bearer`.',
  403: 'The key lacks the scope of this route.',
  413: 'The body exceeds the size limit.',
  415: 'The body is not application/json, or its charset or Content-Encoding is one the service does not read.',
  429: 'Rate limited: the API key or the doctor has spent its budget.',
  500: 'An unexpected error.',
  503: 'A dependency (database, Redis, language model) is unavailable; retry after the time given.',
};

/**
 * Collects routes into an express router and an OpenAPI registry. Route handlers stay
 * thin: validation and the response shape come from the definition.
 */
export class ApiRouter {
  readonly router = express.Router();
  /** After `router`: answers a method that no route of the path has with 405 and `Allow`. */
  readonly methodFallback = express.Router();
  private readonly registry = new OpenAPIRegistry();
  private readonly methodsByPath = new Map<string, Set<string>>();
  private document: unknown;

  constructor(
    private readonly guard: AccessGuard,
    private readonly info: { title: string; version: string; description: string },
  ) {
    this.registry.registerComponent('securitySchemes', 'apiKey', {
      type: 'http',
      scheme: 'bearer',
      description: 'API key of the calling app (`npm run clients -- create`).',
    });
    this.registry.registerComponent('securitySchemes', 'consoleSession', {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description: "The admin console's session (`POST /v1/admin/session`); state-changing calls also need its CSRF token.",
    });
  }

  add<TBody extends z.ZodType, TQuery extends z.ZodObject, TParams extends z.ZodObject>(
    definition: RouteDefinition<TBody, TQuery, TParams>,
    handler: (input: RouteInput<z.output<TBody>, z.output<TQuery>, z.output<TParams>>) => Promise<RouteResult>,
  ): void {
    this.describe(definition);
    this.allowMethod(definition.path, definition.method);
    this.router[definition.method](definition.path, async (req, res) => {
      await this.guard(req, definition.access);
      const parseBody = definition.parseBody ?? ((input: unknown) => validate(definition.body!, input));
      const input = {
        body: (definition.body ? parseBody(jsonBody(req)) : undefined) as z.output<TBody>,
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

  /** The OpenAPI document of every route added, made once when first asked for. */
  openApiDocument(): unknown {
    this.document ??= withUuidPattern(
      new OpenApiGeneratorV31(this.registry.definitions).generateDocument({
        openapi: '3.1.0',
        info: this.info,
        servers: [{ url: '/', description: 'The service itself: paths are relative to where it is served.' }],
        tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
      }),
    );
    return this.document;
  }

  /** The first route of a path adds its 405 fallback; later ones add their method to its `Allow`. */
  private allowMethod(path: string, method: string): void {
    let methods = this.methodsByPath.get(path);
    if (!methods) {
      const allowed = (methods = new Set());
      this.methodsByPath.set(path, methods);
      // OPTIONS never gets here: express's router answers it with the path's methods.
      this.methodFallback.all(path, (req, _res, next) => {
        next(new MethodNotAllowedError(`${req.method} is not allowed here; allowed: ${[...allowed].sort().join(', ')}.`, [...allowed]));
      });
    }
    methods.add(method.toUpperCase());
    if (method === 'get') methods.add('HEAD');
  }

  private describe(definition: RouteDefinition): void {
    const isPublic = definition.access === 'public';
    // 413 and 415 on every route: the JSON parser reads a body sent to any of them.
    const problemStatuses = [400, ...(isPublic ? [] : [401, 403, 429]), 413, 415, 500, 503];
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, response] of Object.entries(definition.responses)) responses[status] = responseConfig(Number(status), response);
    for (const status of problemStatuses) {
      responses[String(status)] ??= responseConfig(status, { description: PROBLEM_STATUSES[status]! });
    }
    const security: Record<string, string[]>[] = isPublic ? [] : [{ apiKey: [] }, ...(definition.access === 'admin' ? [{ consoleSession: [] }] : [])];
    this.registry.registerPath({
      method: definition.method,
      path: definition.path.replace(/:(\w+)/g, '{$1}'),
      operationId: definition.operationId,
      summary: definition.summary,
      ...(definition.description ? { description: definition.description } : {}),
      tags: definition.tags,
      security,
      request: {
        ...(definition.body ? { body: { required: true, content: { 'application/json': { schema: definition.body } } } } : {}),
        ...(definition.query ? { query: definition.query } : {}),
        ...(definition.params ? { params: definition.params } : {}),
        ...(definition.headers ? { headers: definition.headers } : {}),
      },
      responses,
    });
  }
}

/**
 * A documented response; an error status is problem+json, and a 429 or 503 problem says
 * when to retry (a 503 with a body of its own, such as readiness's report, does not).
 */
function responseConfig(status: number, response: RouteResponse): ResponseConfig {
  const schema = response.schema ?? (status >= 400 ? ProblemSchema : undefined);
  const retryable = (status === 429 || status === 503) && response.schema === undefined;
  const contentType = response.contentType ?? (response.schema ? 'application/json' : PROBLEM_CONTENT_TYPE);
  const headers = {
    ...(status === 401 ? { 'WWW-Authenticate': 'The scheme to authenticate with: `Bearer`.' } : {}),
    ...(retryable ? RETRY_AFTER : {}),
    ...response.headers,
  };
  return {
    description: response.description,
    ...(Object.keys(headers).length
      ? { headers: Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: HEADER_SCHEMAS[name] ?? { type: 'string' } }])) }
      : {}),
    ...(schema
      ? {
          content: {
            [contentType]: { schema },
            ...(response.eventStream ? { 'text/event-stream': { schema: { type: 'string', description: response.eventStream } } } : {}),
          },
        }
      : {}),
  };
}

// zod's uuid is RFC 9562's (version and variant digits), stricter than `format: uuid`
// alone says; zod-to-openapi leaves its pattern out, so the document adds it.
const UUID_PATTERN = z.toJSONSchema(z.uuid()).pattern;

/** The document with zod's uuid pattern on every `format: uuid` schema. */
function withUuidPattern<T>(node: T): T {
  if (Array.isArray(node)) node.forEach(withUuidPattern);
  else if (node !== null && typeof node === 'object') {
    const schema = node as Record<string, unknown>;
    if (schema.format === 'uuid' && schema.type === 'string' && schema.pattern === undefined) schema.pattern = UUID_PATTERN;
    Object.values(schema).forEach(withUuidPattern);
  }
  return node;
}
