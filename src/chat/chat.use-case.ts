import { randomUUID } from 'node:crypto';
import type { AnswerCache, AnswerKey, CacheHit, CacheState, FirstQuestionAnswer, RecordRead } from '../cache/answer-cache.js';
import { addUsage, NO_USAGE, type ChatModel, type ChatUsage } from '../llm/chat/chat-model.js';
import type { Logger } from '../logger.js';
import type { ConversationMemory, LoadedMemory } from '../memory/conversation-memory.js';
import { isRefused } from '../retrieval/refusal.js';
import type { Retriever } from '../retrieval/search.types.js';
import type { AuditedHit } from '../security/audit.js';
import { citationsFor, CitationFilter, type Citation } from './citations.js';
import { buildAnswerPrompt, type BuiltPrompt } from './prompt.js';

export interface ChatDependencies {
  retriever: Retriever;
  model: ChatModel;
  memory: ConversationMemory;
  cache: AnswerCache;
  logger: Logger;
  limits: {
    /** Hits asked of the retriever. */
    searchK: number;
    /** Token budget of the sources in the prompt. */
    sourceTokens: number;
  };
}

export interface ChatRequest {
  doctorId: string;
  message: string;
  conversationId?: string;
  patientId?: string;
  /** Restrict retrieval to these app modules. */
  modules?: string[];
}

export interface ChatAnswer {
  answer: string;
  citations: Citation[];
  conversationId: string;
  /** App modules the question is about (detected), best first. */
  modules: string[];
  cached: false | 'exact' | 'semantic';
  usage: ChatUsage & { model: string; offline: boolean };
  /** Citation numbers the model used that match no provided source (removed from the answer). */
  removedCitations?: number[];
}

export interface AnswerOptions {
  /** Aborting (client gone) stops the generation; nothing is stored. */
  signal?: AbortSignal;
  /** When given, the answer is streamed: called with each piece of text as it is ready. */
  onToken?: (text: string) => void;
  /**
   * Called with what the scoped search returned, before anything is generated or sent:
   * the audit trail of patient data is written here, and a failure fails the request.
   */
  onRetrieved?: (hits: AuditedHit[]) => Promise<void>;
}

/** The answer before it is stored: produced by the model, the cache, or the nothing-found rule. */
interface Reply {
  text: string;
  citations: Citation[];
  removedCitations: number[];
  cached: ChatAnswer['cached'];
  usage: ChatUsage;
}

/** A reply with what led to it: the question as searched, the modules, the record chunks read. */
interface Prepared {
  reply: Reply;
  question: { text: string; usage: ChatUsage };
  modules: string[];
  hits: number;
  records: RecordRead[];
  /** Set when the reply may be cached under it. */
  key?: AnswerKey;
  /** For a reply from the cache: the conversation its answer was first given in. */
  cachedFrom?: string | null;
}

export const NOTHING_FOUND =
  'I found nothing about this in the documentation or in the records you have access to, so I cannot answer it from them.';

/**
 * Answers a doctor's question from the documentation and the doctor's patients' records:
 * load memory -> condense the question -> detect modules -> search (scoped) -> build the
 * prompt -> cached answer or generate -> check citations -> store the turn -> cache.
 * A question without history is first looked up in the pre-retrieval cache: a hit skips
 * detection, search and prompt, but not the audit of the records it was built from, nor
 * the stored turn.
 */
export async function answerQuestion(deps: ChatDependencies, request: ChatRequest, options: AnswerOptions = {}): Promise<ChatAnswer> {
  const { signal } = options;
  const started = performance.now();
  const state = deps.cache.readState();
  // A first question's pre-retrieval entry is read side by side with the state it must match.
  const firstKey = request.conversationId
    ? undefined
    : deps.cache.firstQuestionKeyFor({ question: request.message, doctorId: request.doctorId, patientId: request.patientId ?? null, modules: request.modules });
  const [memory, cacheState, firstHit] = await Promise.all([
    request.conversationId ? deps.memory.load(request.conversationId, request.doctorId, request.patientId) : null,
    state,
    firstKey ? deps.cache.lookupFirstQuestion(firstKey, state) : null,
  ]);
  const patientId = request.patientId ?? memory?.conversation.patientId ?? null;
  const prepared = firstHit
    ? await replayFirstQuestion(request.message, firstHit, options)
    : await retrieveAndAnswer(deps, request, memory, patientId, cacheState, options);
  const { reply, question } = prepared;

  // A client gone before the answer is stored gets nothing stored: no half turn.
  signal?.throwIfAborted();
  const conversationId = memory?.conversation.id ?? randomUUID();
  const stored = await deps.memory.record({
    memory,
    conversationId,
    doctorId: request.doctorId,
    patientId,
    turn: {
      question: request.message,
      standaloneQuestion: question.text,
      answer: reply.text,
      citations: reply.citations,
      usage: { ...reply.usage, cached: reply.cached },
    },
    signal,
  });
  rememberAnswer(deps.cache, prepared, conversationId, firstKey, cacheState);

  deps.logger.info(
    {
      conversationId,
      turn: stored.turnIndex,
      hits: prepared.hits,
      cited: reply.citations.length,
      removedCitations: reply.removedCitations.length,
      cached: reply.cached,
      ms: Math.round(performance.now() - started),
    },
    'chat answered',
  );
  return {
    answer: reply.text,
    citations: reply.citations,
    conversationId,
    modules: prepared.modules,
    cached: reply.cached,
    usage: { ...addUsage(question.usage, reply.usage, stored.usage), model: deps.model.model, offline: deps.model.offline },
    ...(reply.removedCitations.length > 0 ? { removedCitations: reply.removedCitations } : {}),
  };
}

/**
 * Caches a new answer under its key, and the answer a first question got (new or from
 * the cache) under its pre-retrieval key. The writes go side by side and the response
 * does not wait for them: the cache's lookups in this process wait for writes in flight.
 */
function rememberAnswer(cache: AnswerCache, prepared: Prepared, conversationId: string, firstKey: string | undefined, state: CacheState): void {
  const { reply, key } = prepared;
  if (!key) return;
  const answer = { answer: reply.text, citations: reply.citations, removedCitations: reply.removedCitations };
  const from = reply.cached === false ? conversationId : prepared.cachedFrom;
  if (reply.cached === false) void cache.remember(key, answer, conversationId);
  if (firstKey && from) {
    void cache.rememberFirstQuestion(firstKey, { ...answer, modules: prepared.modules, records: prepared.records }, { conversationId: from, key, state });
  }
}

/**
 * A first question's answer from the pre-retrieval layer. The records it was built from
 * are audited again before anything is sent: this request discloses them too.
 */
async function replayFirstQuestion(message: string, entry: FirstQuestionAnswer, options: AnswerOptions): Promise<Prepared> {
  await options.onRetrieved?.(entry.records.map((record) => ({ ...record, sourceKind: 'record' as const })));
  return {
    reply: replay({ text: entry.answer, citations: entry.citations, removedCitations: entry.removedCitations, cached: 'exact' }, options),
    question: { text: message, usage: NO_USAGE },
    modules: entry.modules,
    hits: 0,
    records: entry.records,
  };
}

/** Condense, detect modules, search within the doctor's scope, then a cached or generated answer. */
async function retrieveAndAnswer(
  deps: ChatDependencies,
  request: ChatRequest,
  memory: LoadedMemory | null,
  patientId: string | null,
  cacheState: CacheState,
  options: AnswerOptions,
): Promise<Prepared> {
  const { signal } = options;
  const question = await condenseQuestion(deps.model, request.message, memory, signal);
  // Independent reads: side by side, on two connections.
  const [modules, hits] = await Promise.all([
    deps.retriever.detectModules(question.text, { signal }),
    deps.retriever.search({
      query: question.text,
      k: deps.limits.searchK,
      scope: { doctorId: request.doctorId },
      filters: {
        ...(patientId ? { patientId } : {}),
        ...(request.modules?.length ? { modules: request.modules } : {}),
      },
      signal,
    }),
  ]);
  await options.onRetrieved?.(hits);
  const found = {
    question,
    modules: modules.map((module) => module.name),
    hits: hits.length,
    records: hits.filter((hit) => hit.sourceKind === 'record').map(({ chunkId, patientId: owner }) => ({ chunkId, patientId: owner })),
  };

  if (isRefused(hits)) {
    // No evidence to answer from: say so without asking the model to make something up.
    return { ...found, reply: replay({ text: NOTHING_FOUND, citations: [], removedCitations: [], cached: false }, options) };
  }
  const prompt = buildAnswerPrompt({
    question: question.text,
    hits,
    summary: memory?.conversation.summary ?? '',
    recentTurns: memory?.recent ?? [],
    sourceTokens: deps.limits.sourceTokens,
  });
  const key = deps.cache.keyFor(
    {
      question: question.text,
      doctorId: request.doctorId,
      patientId,
      sources: prompt.used,
      withHistory: Boolean(memory?.conversation.summary) || (memory?.recent.length ?? 0) > 0,
    },
    cacheState,
  );
  const hit = await deps.cache.lookup(key, signal);
  if (hit) return { ...found, key, reply: replayCached(hit, options), cachedFrom: hit.conversationId };
  return { ...found, key, reply: await generateAnswer(deps.model, prompt, options) };
}

/** A follow-up becomes a standalone question using the conversation; a first question stands as it is. */
async function condenseQuestion(
  model: ChatModel,
  message: string,
  memory: LoadedMemory | null,
  signal: AbortSignal | undefined,
): Promise<{ text: string; usage: ChatUsage }> {
  if (!memory) return { text: message, usage: NO_USAGE };
  // The newest turn is what a follow-up most often refers to, even when it overflowed the window.
  const turns = memory.recent.length > 0 ? memory.recent : memory.pending.slice(-1);
  const result = await model.condense({ question: message, turns, summary: memory.conversation.summary }, { signal });
  return { text: result.text.trim() || message, usage: result.usage };
}

/**
 * Generates the answer, streamed when the caller listens for tokens. Citations are
 * checked as the text arrives, so no streamed or stored text cites a source that was
 * not provided.
 */
async function generateAnswer(model: ChatModel, prompt: BuiltPrompt, options: AnswerOptions): Promise<Reply> {
  const filter = new CitationFilter(prompt.used.length);
  let text = '';
  const emit = (piece: string): void => {
    if (!piece) return;
    text += piece;
    options.onToken?.(piece);
  };
  let usage = NO_USAGE;
  if (options.onToken) {
    for await (const part of model.stream(prompt.request, { signal: options.signal })) {
      if (part.type === 'token') emit(filter.push(part.text));
      else usage = part.usage;
    }
  } else {
    const result = await model.generate(prompt.request, { signal: options.signal });
    emit(filter.push(result.text));
    usage = result.usage;
  }
  emit(filter.flush());
  return {
    text,
    citations: citationsFor(filter.citedNumbers(), prompt.used),
    removedCitations: filter.removedNumbers(),
    cached: false,
    usage,
  };
}

function replayCached(hit: CacheHit, options: AnswerOptions): Reply {
  return replay({ text: hit.answer.answer, citations: hit.answer.citations, removedCitations: hit.answer.removedCitations, cached: hit.kind }, options);
}

/** An answer that needs no model: streamed in one piece when the caller streams. */
function replay(reply: Omit<Reply, 'usage'>, options: AnswerOptions): Reply {
  options.onToken?.(reply.text);
  return { ...reply, usage: NO_USAGE };
}
