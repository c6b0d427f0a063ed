import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Contract tests: every response a test's fetch gets from a test app is checked against
 * the app's own OpenAPI document: its status must be documented for the operation, its
 * content type one the document gives, its documented headers present, and its body
 * valid against the schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). A response
 * outside the contract fails the test that received it. A path or method the document
 * does not have (a 404, a 405) must still be problem+json.
 */

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, unknown>;
}
interface Operation {
  operationId: string;
  responses: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const DOCUMENT_ID = 'openapi.json';
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
/** How long after its test a response still being read may take to arrive before it is left unchecked. */
const SETTLE_MS = 2_000;

export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: { pattern: RegExp; templated: boolean; methods: Record<string, Operation>; path: string }[];

  constructor(private readonly document: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    this.routes = Object.entries(document.paths)
      .map(([path, methods]) => ({
        path,
        methods,
        templated: path.includes('{'),
        pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+')}$`),
      }))
      // A literal path wins over a template that also matches it.
      .sort((a, b) => Number(a.templated) - Number(b.templated));
  }

  /** What is wrong with a response to `method url`, or an empty list. */
  check(method: string, url: URL, response: { status: number; headers: Headers; body: string }): string[] {
    const where = `${method} ${url.pathname} -> ${response.status}`;
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? null;
    const route = this.routes.find((candidate) => candidate.pattern.test(url.pathname));
    const operation = route?.methods[method.toLowerCase()];
    if (!route || !operation) {
      if (response.status >= 400 && mediaType !== 'application/problem+json') return [`${where}: an undocumented route's error is ${mediaType}, not problem+json`];
      return [];
    }
    const documented = operation.responses[String(response.status)] ?? operation.responses.default;
    if (!documented) return [`${where}: status not documented for ${operation.operationId}`];
    const problems: string[] = [];
    for (const header of Object.keys(documented.headers ?? {})) {
      if (!response.headers.has(header)) problems.push(`${where}: documented header ${header} missing`);
    }
    const content = documented.content ?? {};
    if (Object.keys(content).length === 0) {
      if (response.body.length > 0) problems.push(`${where}: body sent where the document has none`);
      return problems;
    }
    if (!mediaType || !(mediaType in content)) {
      return [...problems, `${where}: content type ${mediaType} is not one of ${Object.keys(content).join(', ')}`];
    }
    if (JSON_MEDIA_TYPE.test(mediaType)) {
      const pointer = `#/paths/${escape(route.path)}/${method.toLowerCase()}/responses/${response.status in operation.responses ? response.status : 'default'}/content/${escape(mediaType)}/schema`;
      const validate = this.validator(pointer);
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch {
        return [...problems, `${where}: ${mediaType} body is not JSON`];
      }
      if (!validate(body)) {
        problems.push(`${where}: body does not match the schema: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
      }
    }
    return problems;
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }
}

/** A JSON pointer segment. */
const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

const checkers = new Map<string, ContractChecker>();
const pending = new Set<Promise<void>>();
const violations: string[] = [];
// The fetch in place when the first app starts (nock's, which keeps tests on loopback), wrapped from then on.
let unwrappedFetch: typeof fetch | undefined;

/** Checks every response fetched from `baseUrl` against the document the app there serves. */
export async function checkContractOf(baseUrl: string): Promise<void> {
  if (!unwrappedFetch) {
    unwrappedFetch = globalThis.fetch;
    globalThis.fetch = checkedFetch;
  }
  const response = await unwrappedFetch(`${baseUrl}/openapi.json`);
  checkers.set(new URL(baseUrl).origin, new ContractChecker((await response.json()) as OpenApiDocument));
}

export function stopCheckingContractOf(baseUrl: string): void {
  checkers.delete(new URL(baseUrl).origin);
}

const checkedFetch: typeof fetch = async (input, init) => {
  const response = await unwrappedFetch!(input, init);
  const url = new URL(input instanceof Request ? input.url : input);
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  const checker = checkers.get(url.origin);
  if (!checker || method === 'HEAD' || method === 'OPTIONS') return response;
  const copy = response.clone();
  const checked = copy
    .text()
    .then((body) => {
      violations.push(...checker.check(method, url, { status: copy.status, headers: copy.headers, body }));
    })
    // The test stopped reading (an aborted stream): there is no whole response to check.
    .catch(() => undefined)
    .finally(() => pending.delete(checked));
  pending.add(checked);
  return response;
};

/** Throws the contract violations of the responses fetched since the last call (test/support/setup.ts calls it after each test). */
export async function assertResponsesKeptContract(): Promise<void> {
  await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, SETTLE_MS).unref())]);
  pending.clear();
  const found = violations.splice(0);
  if (found.length > 0) throw new Error(`Responses outside the OpenAPI contract:\n${found.join('\n')}`);
}
