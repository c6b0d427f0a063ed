import { createHash } from 'node:crypto';
import type { Retriever } from '../retrieval/search.types.js';
import type { RecordReader } from '../security/audit.js';
import { answerQuestion, type AnswerOptions, type ChatAnswer, type ChatDependencies } from './chat.use-case.js';

export interface ConsoleChatRequest {
  message: string;
  conversationId?: string;
  modules?: string[];
}

/** What the admin console shows beside an answer: the question as searched, and where the time went. */
export interface ChatTrace {
  /** The question after condensing (a follow-up rewritten to stand alone); the message itself when nothing was searched. */
  standaloneQuestion: string;
  timings: {
    /** From the request to the search: conversation memory, condensing, cache lookup. */
    beforeSearchMs: number | null;
    searchMs: number | null;
    /** From the request to the first piece of the answer (streamed answers only). */
    firstTokenMs: number | null;
    totalMs: number;
  };
}

/**
 * The owner of an admin client's console conversations: a doctor id derived from the
 * client's, stable across sign-ins, that no real doctor has, so the console never reads a
 * doctor's conversations or cached answers, nor they its.
 */
export function consoleOwnerId(clientId: string): string {
  const hex = createHash('sha256').update(`admin-console:${clientId}`).digest('hex');
  // Shaped as a UUID of version 8 (custom), variant 10.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The chat use case as an admin tries it from the console: on the documentation only (the
 * search runs with no doctor in its scope, so no record chunk can be retrieved, whatever
 * the owner id), with the searched question and the timings recorded on the way.
 */
export async function tryChat(
  deps: ChatDependencies,
  ownerId: string,
  readBy: RecordReader,
  request: ConsoleChatRequest,
  options: AnswerOptions,
): Promise<ChatAnswer & ChatTrace> {
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const trace: ChatTrace = {
    standaloneQuestion: request.message,
    timings: { beforeSearchMs: null, searchMs: null, firstTokenMs: null, totalMs: 0 },
  };
  const retriever: Retriever = {
    embed: (question, signal) => deps.retriever.embed(question, signal),
    search: async (search) => {
      trace.standaloneQuestion = search.question.text;
      trace.timings.beforeSearchMs = since();
      const hits = await deps.retriever.search({ ...search, scope: { doctorId: null } });
      trace.timings.searchMs = since() - trace.timings.beforeSearchMs;
      return hits;
    },
    detectModules: (question, detect) => deps.retriever.detectModules(question, detect),
  };
  const { onToken } = options;
  const answer = await answerQuestion({ ...deps, retriever }, { ...request, doctorId: ownerId, readBy }, {
    ...options,
    ...(onToken
      ? {
          onToken: (text: string) => {
            trace.timings.firstTokenMs ??= since();
            onToken(text);
          },
        }
      : {}),
  });
  trace.timings.totalMs = since();
  return { ...answer, ...trace };
}
