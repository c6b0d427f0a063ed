/**
 * The console's only way to the service: its public HTTP API, authenticated by the
 * HttpOnly session cookie the browser sends by itself. State-changing calls carry the
 * session's CSRF token, which lives in this module's memory only.
 */

export interface ProblemDetail {
  path?: string;
  message: string;
}

/** A problem+json answer, as an error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ProblemDetail[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export const SIGN_IN_PATH = '/admin/sign-in';

/** Back to sign-in (a session that ended), coming back here afterwards. */
export function goToSignIn(): void {
  const here = location.pathname + location.search;
  location.assign(here.startsWith(SIGN_IN_PATH) ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(here)}`);
}

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function request(method: string, path: string, body: unknown, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

async function failure(response: Response): Promise<ApiError> {
  const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string; errors?: ProblemDetail[] };
  return new ApiError(response.status, problem.code ?? 'http_error', problem.detail ?? `${response.status} ${response.statusText}`, problem.errors);
}

/**
 * A JSON call. A 401 on a signed-in page means the session ended: back to sign-in.
 * `signIn` calls are the exception, their 401 is the answer to show.
 */
export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, options: { signIn?: boolean } = {}): Promise<T> {
  const response = await request(method, path, body, 'application/json');
  if (response.status === 401 && !options.signIn) goToSignIn();
  if (!response.ok) throw await failure(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export interface ServerEvent {
  event: string;
  data: unknown;
}

/** POSTs and reads the answer's server-sent events as they arrive (EventSource only GETs). */
export async function* postForEvents(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<ServerEvent> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    body: JSON.stringify(body),
    credentials: 'same-origin',
    ...(signal ? { signal } : {}),
  });
  if (response.status === 401) goToSignIn();
  if (!response.ok || !response.body) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const parsed = parseEvent(block);
      if (parsed) yield parsed;
    }
  }
}

/** One event block (`event:` and `data:` lines); null for a comment. */
function parseEvent(block: string): ServerEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return data.length > 0 ? { event, data: JSON.parse(data.join('\n')) as unknown } : null;
}
