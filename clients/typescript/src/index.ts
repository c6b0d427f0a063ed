import { EventSourceParserStream } from 'eventsource-parser/stream';
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';
export type Schemas = components['schemas'];
export type ChatRequest = Schemas['ChatRequest'];
export type ChatResponse = Schemas['ChatResponse'];
export type Problem = Schemas['Problem'];

/** JSON answers and problem+json errors; the chat's event stream is streamChat's. */
type JsonMedia = 'application/json' | 'application/problem+json';

/** Every operation of the API, typed from its OpenAPI document: `client.POST('/v1/chat', { body })`. */
export type AssistantClient = Client<paths, JsonMedia>;

export interface AssistantClientOptions {
  /** Where the service is served, e.g. `http://llm-assistant:3000`. */
  baseUrl: string;
  /** The calling app's API key (`npm run clients -- create <name>`). */
  apiKey: string;
  /** The doctor every call acts for, unless a call names another: an id, or a signed token when the service requires one. */
  doctor?: { id: string } | { token: string };
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** A client whose calls carry the API key, and the doctor when one is given. */
export function createAssistantClient(options: AssistantClientOptions): AssistantClient {
  const doctor = options.doctor ? ('token' in options.doctor ? { 'x-doctor-token': options.doctor.token } : { 'x-doctor-id': options.doctor.id }) : {};
  return createClient<paths, JsonMedia>({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}`, ...doctor },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** The events of a streamed chat answer (`Accept: text/event-stream`). */
export type ChatStreamEvent =
  | { event: 'token'; data: { text: string } }
  | { event: 'done'; data: Omit<ChatResponse, 'answer'> }
  | { event: 'error'; data: Problem };

/** A problem+json answer of the service, as an error. */
export class AssistantApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'AssistantApiError';
  }
}

/**
 * Streams a chat answer: `token` events as the answer is written, then one `done` (with
 * citations and usage) or, when generation fails after it began, one `error`. A refusal
 * before streaming (a 4xx, a 503) throws an AssistantApiError.
 */
export async function* streamChat(client: AssistantClient, body: ChatRequest, init: { signal?: AbortSignal } = {}): AsyncGenerator<ChatStreamEvent> {
  const { data, error } = await client.POST('/v1/chat', {
    body,
    headers: { accept: 'text/event-stream' },
    parseAs: 'stream',
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (error) throw new AssistantApiError(error);
  if (!data) throw new Error('The chat stream has no body.');
  const events = data.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const message of events) {
    const payload: unknown = JSON.parse(message.data);
    yield { event: message.event, data: payload } as ChatStreamEvent;
  }
}
