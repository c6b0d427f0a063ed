import { randomUUID } from 'node:crypto';
import type { AnswerCache, PromptSource } from '../cache/answer-cache.js';
import { addUsage, NO_USAGE, type ChatModel, type ChatUsage } from '../llm/chat/chat-model.js';
import type { Logger } from '../logger.js';
import type { ConversationMemory, LoadedMemory } from '../memory/conversation-memory.js';
import { isRefused } from '../retrieval/refusal.js';
import type { QuestionVector, Retriever, SearchHit } from '../retrieval/search.types.js';
import type { AuditedHit, RecordReader } from '../security/audit.js';
import { citationsFor, CitationFilter, type Citation } from './citations.js';
import { buildAnswerPrompt, type BuiltPrompt } from './prompt.js';

/** What the answer cache keeps of an answer: what the doctor sees, and the record chunks it discloses. */
export interface CachedAnswer {
  answer: string;
  citations: Citation[];
  removedCitations: number[];
  /** App modules the question was about (detected), best first. */
  modules: string[];
  /** The record chunks the search returned for it: audited again each time the answer is given. */
  recordHits: AuditedHit[];
}

export interface ChatDependencies {
  /** Searches within the doctor's scope and audits the record chunks it returns. */
  retriever: Retriever;
  model: ChatModel;
  memory: ConversationMemory;
  cache: AnswerCache<CachedAnswer>;
  /** Writes the audit entry for the record chunks an answer from the cache discloses (as the retriever does for a search). */
  auditRecords: (reader: RecordReader, hits: readonly AuditedHit[]) => Promise<void>;
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
  /** Who reads the patient data the answer is built from (the audit trail). */
  readBy: RecordReader;
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
}

/** The answer before it is stored: generated, from the cache, or "nothing found". */
interface Reply extends CachedAnswer {
  cached: ChatAnswer['cached'];
  usage: ChatUsage;
  /** The sources of a new answer, which may be cached. */
  builtFrom?: PromptSource[];
}

export const NOTHING_FOUND =
  'I found nothing about this in the documentation or in the records you have access to, so I cannot answer it from them.';

/**
 * Answers a doctor's question from the documentation and the doctor's patients' records:
 * load memory -> condense the question -> embed it once -> cached answer (audited when it
 * discloses records), or detect modules and search within the doctor's scope (record
 * chunks are audited before they come back) -> nothing found, or build the prompt,
 * generate and check citations -> store the turn -> cache the new answer.
 */
export async function answerQuestion(deps: ChatDependencies, request: ChatRequest, options: AnswerOptions = {}): Promise<ChatAnswer> {
  const { signal } = options;
  const started = performance.now();
  const memory = request.conversationId ? await deps.memory.load(request.conversationId, request.doctorId, request.patientId) : null;
  const patientId = request.patientId ?? memory?.conversation.patientId ?? null;
  const condensed = await condenseQuestion(deps.model, request.message, memory, signal);
  const question = await deps.retriever.embed(condensed.text, signal);
  const withHistory = Boolean(memory?.conversation.summary) || (memory?.recent.length ?? 0) > 0;
  const key = await deps.cache.keyFor({ question, doctorId: request.doctorId, patientId, modules: request.modules ?? null, withHistory });

  const hit = await deps.cache.lookup(key, signal);
  let reply: Reply;
  if (hit) {
    await deps.auditRecords(request.readBy, hit.answer.recordHits);
    reply = replay(hit.answer, hit.kind, options);
  } else {
    reply = await answerFromSearch(deps, request, { question, patientId, memory }, options);
  }

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
      answer: reply.answer,
      citations: reply.citations,
      usage: { ...reply.usage, cached: reply.cached },
    },
    signal,
  });
  const { answer, citations, removedCitations, modules, recordHits } = reply;
  if (reply.builtFrom) await deps.cache.remember(key, { answer, citations, removedCitations, modules, recordHits }, reply.builtFrom, conversationId);

  deps.logger.info(
    {
      conversationId,
      turn: stored.turnIndex,
      cited: citations.length,
      removedCitations: removedCitations.length,
      cached: reply.cached,
      ms: Math.round(performance.now() - started),
    },
    'chat answered',
  );
  return {
    answer,
    citations,
    conversationId,
    modules,
    cached: reply.cached,
    usage: { ...addUsage(condensed.usage, reply.usage, stored.usage), model: deps.model.model, offline: deps.model.offline },
    ...(removedCitations.length > 0 ? { removedCitations } : {}),
  };
}

/**
 * A new answer: modules detected and the doctor's scope searched with the question's
 * vector, then "nothing found" when the evidence is weak (no model call), or the answer
 * generated from the prompt.
 */
async function answerFromSearch(
  deps: ChatDependencies,
  request: ChatRequest,
  context: { question: QuestionVector; patientId: string | null; memory: LoadedMemory | null },
  options: AnswerOptions,
): Promise<Reply> {
  const { question, patientId, memory } = context;
  // Independent reads: side by side, on two connections.
  const [detected, hits] = await Promise.all([
    deps.retriever.detectModules(question),
    deps.retriever.search({
      question,
      k: deps.limits.searchK,
      scope: { doctorId: request.doctorId },
      filters: {
        ...(patientId ? { patientId } : {}),
        ...(request.modules?.length ? { modules: request.modules } : {}),
      },
      readBy: request.readBy,
    }),
  ]);
  const found = { modules: detected.map((module) => module.name), recordHits: recordHitsOf(hits) };
  if (isRefused(hits)) {
    // No evidence to answer from: say so without asking the model to make something up.
    return replay({ answer: NOTHING_FOUND, citations: [], removedCitations: [], ...found }, false, options);
  }
  const prompt = buildAnswerPrompt({
    question: question.text,
    hits,
    summary: memory?.conversation.summary ?? '',
    recentTurns: memory?.recent ?? [],
    sourceTokens: deps.limits.sourceTokens,
  });
  return { ...(await generateAnswer(deps.model, prompt, options)), ...found, builtFrom: prompt.used };
}

/** The record chunks among the hits, as the audit trail names them. */
function recordHitsOf(hits: SearchHit[]): AuditedHit[] {
  return hits.filter((hit) => hit.sourceKind === 'record').map(({ chunkId, sourceKind, patientId }) => ({ chunkId, sourceKind, patientId }));
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
async function generateAnswer(model: ChatModel, prompt: BuiltPrompt, options: AnswerOptions): Promise<Pick<Reply, 'answer' | 'citations' | 'removedCitations' | 'cached' | 'usage'>> {
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
    answer: text,
    citations: citationsFor(filter.citedNumbers(), prompt.used),
    removedCitations: filter.removedNumbers(),
    cached: false,
    usage,
  };
}

/** An answer that needs no model: streamed in one piece when the caller streams. */
function replay(answer: CachedAnswer, cached: Reply['cached'], options: AnswerOptions): Reply {
  options.onToken?.(answer.answer);
  return { ...answer, cached, usage: NO_USAGE };
}
