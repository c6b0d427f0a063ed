import { AuditedRetriever } from '../../src/security/audited-retriever.js';
import { createChatServices } from '../../src/chat/chat.services.js';
import type { ChatAnswer } from '../../src/chat/chat.use-case.js';
import type { Citation } from '../../src/chat/citations.js';
import type { ChatModel } from '../../src/llm/chat/chat-model.js';
import type { Services } from '../../src/services.js';
import { CHAT_MODULES, chatCorpus } from '../fixtures/chat-corpus.fixture.js';
import type { TestApp } from './app.js';
import { FakeRetriever } from './fake-retriever.js';

/** Rewires chat over a FakeRetriever of the chat corpus (and optionally another chat model). */
export function withFakeRetriever(retriever = new FakeRetriever(chatCorpus(), CHAT_MODULES), model?: ChatModel) {
  return async (services: Services): Promise<Services> => {
    services.chat.close();
    // Audited as the service's own retriever is (src/services.ts).
    const audited = new AuditedRetriever(retriever, services.db.pool);
    const chat = await createChatServices({ ...services, retriever: audited, ...(model ? { model } : {}) });
    return { ...services, chat };
  };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Parses a complete text/event-stream body into events. */
export function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
      return { event, data: JSON.parse(data) as unknown };
    });
}

/** POST /v1/chat as a doctor; JSON unless `stream`. */
export function postChat(app: TestApp, doctorId: string | undefined, body: Record<string, unknown>, init: { stream?: boolean; signal?: AbortSignal } = {}) {
  return fetch(`${app.baseUrl}/v1/chat`, {
    method: 'POST',
    headers: {
      ...app.authHeaders(doctorId),
      'content-type': 'application/json',
      accept: init.stream ? 'text/event-stream' : 'application/json',
    },
    body: JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

/** Rows stored for conversations: what a failed or abandoned request must not leave behind. */
export async function storedCounts(app: TestApp): Promise<{ conversations: number; turns: number }> {
  const { rows } = await app.services.db.pool.query<{ conversations: number; turns: number }>(
    `SELECT (SELECT count(*)::int FROM llm_assistant.conversation_memory) AS conversations,
            (SELECT count(*)::int FROM llm_assistant.conversation_turns) AS turns`,
  );
  return rows[0]!;
}

/** GET /v1/conversations/:id as JSON. */
export interface ConversationBody {
  id: string;
  turnCount: number;
  summary: string;
  turns: { question: string; standaloneQuestion: string; answer: string; citations: Citation[] }[];
}

/** A response body with the type the test expects (chat answer, conversation, problem). */
export async function readJson<T = ChatAnswer>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export type ProblemBody = { code: string; status: number };
