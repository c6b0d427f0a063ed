import type pg from 'pg';
import { preparedStatement } from '../db/prepared-statement.js';
import { encodeVector } from '../db/vector-binary.js';
import type { Citation } from '../chat/citations.js';
import { PROMPT_VERSION } from '../chat/prompt.js';
import { isAppError } from '../errors.js';
import { CoalescedRead } from '../lib/coalesced-read.js';
import { sha256Hex } from '../lib/sha256.js';
import { WritesInFlight } from '../lib/writes-in-flight.js';
import type { Embedder } from '../llm/embeddings/embedder.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { SearchHit } from '../retrieval/search.types.js';
import { extractGuardTerms } from './guard-terms.js';
import type { KeyValueStore } from './key-value-store.js';

/** What is cached of an answer: what the doctor sees. */
export interface CachedAnswer {
  answer: string;
  citations: Citation[];
  removedCitations: number[];
}

/** Everything about a request that decides its answer. */
export interface AnswerContext {
  /** The standalone question. */
  question: string;
  doctorId: string;
  patientId: string | null;
  /** The hits given to the model, in prompt order. */
  sources: Pick<SearchHit, 'chunkId' | 'sourceKind' | 'collection' | 'sourceId'>[];
  /** Whether conversation memory (recent turns or a summary) was in the prompt. */
  withHistory: boolean;
}

/** A computed cache key and what the semantic layer and invalidation need alongside it. */
export interface AnswerKey {
  cacheKey: string;
  scopeKey: string;
  /** The standalone question as asked (embedded for the semantic layer). */
  question: string;
  guardTerms: string[];
  /** Null when the answer may be shared by every doctor (documentation only). */
  doctorId: string | null;
  patientId: string | null;
  /** '<kind>:<collection>:<sourceId>' of every source in the prompt. */
  sourceKeys: string[];
  /** Filled on first use, so lookup and store embed the question once. */
  embedding?: number[];
}

/** A question asked without conversation history, before anything is retrieved for it. */
export interface FirstQuestionContext {
  question: string;
  doctorId: string;
  patientId: string | null;
  /** The request's module filter. */
  modules: string[] | undefined;
}

/** A record chunk an answer was built from: replayed into the audit trail when the answer is served again. */
export type RecordRead = Pick<SearchHit, 'chunkId' | 'patientId'>;

/** What the pre-retrieval layer keeps beside the answer: what the skipped steps would have produced. */
export interface FirstQuestionAnswer extends CachedAnswer {
  modules: string[];
  records: RecordRead[];
}

export interface AnswerCacheOptions {
  ttlSeconds: number;
  semanticMinSimilarity: number;
  chatModel: string;
  /** Retrieval and prompt settings that change answers (k, budgets, floors), as one string. */
  settings: string;
}

export interface AnswerCacheDependencies {
  pool: pg.Pool;
  store: KeyValueStore;
  embedder: Embedder;
  metrics: Metrics;
  logger: Logger;
}

/** What every key is computed under: the index generation and the cache epoch, read once per request. */
export interface CacheState {
  generation: number;
  epoch: string;
}

/** A cached answer and the conversation it was first given in (erasing that conversation erases it). */
export type CacheHit = { kind: 'exact' | 'semantic'; answer: CachedAnswer; conversationId: string | null };

/** The semantic layer's nearest cached question. */
interface SemanticRow {
  cache_key: string;
  answer: CachedAnswer;
  conversation_id: string | null;
  similarity: number;
}

/** What the exact layer stores under a key. */
type ExactEntry = CachedAnswer & { conversationId: string };

/** What the pre-retrieval layer stores under a key: the answer, and the state it is valid in. */
type FirstQuestionEntry = FirstQuestionAnswer & { state: CacheState };

/** Bump when the cached payload or key layout changes. */
const KEY_FORMAT = 3;

const SELECT_STATE = preparedStatement('answer_cache_select_state', `
  SELECT (SELECT generation FROM llm_assistant.index_state) AS generation,
         (SELECT epoch FROM llm_assistant.answer_cache_state) AS epoch`);

const BUMP_EPOCH = `UPDATE llm_assistant.answer_cache_state SET epoch = epoch + 1, updated_at = now()`;

const SELECT_SEMANTIC = preparedStatement('answer_cache_select_semantic', `
  SELECT cache_key, answer, conversation_id, 1 - (question_embedding <=> $2::vector) AS similarity
  FROM llm_assistant.query_cache
  WHERE scope_key = $1 AND guard_terms = $3::text[] AND expires_at > now()
  ORDER BY question_embedding <=> $2::vector
  LIMIT 1`);

const BUMP_HITS = preparedStatement(
  'answer_cache_bump_hits',
  `UPDATE llm_assistant.query_cache SET hit_count = hit_count + 1 WHERE cache_key = $1`,
);

const UPSERT = preparedStatement('answer_cache_upsert', `
  INSERT INTO llm_assistant.query_cache
    (cache_key, scope_key, question, question_embedding, guard_terms, answer, cited_sources,
     doctor_id, patient_id, conversation_id, expires_at)
  VALUES ($1, $2, $3, $4::vector, $5::text[], $6::jsonb, $7::text[], $8, $9, $10, now() + make_interval(secs => $11))
  ON CONFLICT (cache_key) DO UPDATE SET
    answer = excluded.answer, cited_sources = excluded.cited_sources, conversation_id = excluded.conversation_id,
    hit_count = 0, created_at = now(), expires_at = excluded.expires_at`);

const DELETE_BY_SOURCES = `DELETE FROM llm_assistant.query_cache WHERE cited_sources && $1::text[] RETURNING cache_key`;

const DELETE_EXPIRED = `DELETE FROM llm_assistant.query_cache WHERE expires_at <= now()`;

const answerEntry = (cacheKey: string) => `answer:${cacheKey}`;
const bySource = (sourceKey: string) => `answers-by-source:${sourceKey}`;
const byConversation = (conversationId: string) => `answers-by-conversation:${conversationId}`;

/** '<kind>:<collection>:<sourceId>', the source key the ingest pipeline reports changes with. */
export function sourceKeyOf(hit: Pick<SearchHit, 'sourceKind' | 'collection' | 'sourceId'>): string {
  return `${hit.sourceKind}:${hit.collection}:${hit.sourceId}`;
}

/**
 * The answer cache. Exact layer: the KeyValueStore (Redis or memory), keyed by the
 * normalised standalone question and everything else that decides the answer. Semantic
 * layer: llm_assistant.query_cache, a near-identical question (cosine similarity) in the
 * same scope with the same guard terms (negations, drugs, doses).
 *
 * The scope, part of both keys: the doctor, the patient, the index generation, the
 * embedding and chat models, the prompt version, and the exact set of chunks the prompt
 * was built from (so a re-indexed, added or no longer visible chunk means a miss). An
 * answer is shared across doctors only when nothing in its prompt could come from a
 * record: no patient, no record chunk, and no conversation memory (earlier turns may
 * quote records). Otherwise it stays within the asking doctor's scope.
 *
 * Pre-retrieval layer, for questions without conversation history: the store again,
 * keyed by the normalised question, the asking doctor, the patient, the module filter,
 * the models, the prompt version and settings; an entry is valid only under the index
 * generation and cache epoch stored in it. It cannot name the chunks (nothing is
 * retrieved yet), so it is never shared between doctors, and any change of any indexed
 * source moves the epoch (invalidateSources): no answer survives a re-index, even one
 * whose reverse-index entries Redis lost. Its entries carry the detected modules and the
 * record chunks read, whose audit entries a hit writes again.
 *
 * Generation and epoch are read fresh for every request (one read shared by concurrent
 * requests), so a re-index or rebuild by another process takes effect at once.
 *
 * A failing store means no cache: logged once per outage and counted, never an error.
 */
export class AnswerCache {
  private storeDown = false;
  private readonly state: CoalescedRead<CacheState>;
  private readonly writes = new WritesInFlight();

  constructor(
    private readonly deps: AnswerCacheDependencies,
    private readonly options: AnswerCacheOptions,
  ) {
    this.state = new CoalescedRead(async () => {
      const { rows } = await deps.pool.query<{ generation: number | null; epoch: string | null }>(SELECT_STATE());
      return { generation: rows[0]?.generation ?? 0, epoch: rows[0]?.epoch ?? '0' };
    });
  }

  /** The index generation and cache epoch now: read once by each request, for all its keys. */
  readState(): Promise<CacheState> {
    return this.state.get();
  }

  /**
   * The pre-retrieval key of a question without history. The index generation and cache
   * epoch are not part of it but stored in its entry, so that the entry can be read side
   * by side with them (see lookupFirstQuestion).
   */
  firstQuestionKeyFor(context: FirstQuestionContext): string {
    const modules = context.modules?.length ? [...new Set(context.modules)].sort() : null;
    return sha256Hex(
      JSON.stringify({
        format: KEY_FORMAT,
        layer: 'first-question',
        doctorId: context.doctorId,
        patientId: context.patientId,
        modules,
        embeddingModel: this.deps.embedder.model,
        chatModel: this.options.chatModel,
        promptVersion: PROMPT_VERSION,
        settings: this.options.settings,
        question: normaliseQuestion(context.question),
      }),
    );
  }

  /**
   * The pre-retrieval answer under this key, or null (also when the store fails). The
   * entry and the current state are read side by side, one round trip before a hit
   * instead of two; an entry stored under another generation or epoch (a re-index or an
   * invalidation since) counts as absent. Never throws but for the state's read.
   */
  async lookupFirstQuestion(firstKey: string, current: Promise<CacheState>): Promise<FirstQuestionAnswer | null> {
    await this.writes.pendingOn([firstKey]);
    const [{ value }, state] = await Promise.all([this.fromStore(() => this.deps.store.get(answerEntry(firstKey))), current]);
    if (!value) return null;
    const { state: storedUnder, ...answer } = JSON.parse(value) as FirstQuestionEntry;
    if (storedUnder.generation !== state.generation || storedUnder.epoch !== state.epoch) return null;
    this.deps.metrics.cacheLookups.inc({ result: 'first_question_hit' });
    return answer;
  }

  /** Computes the keys of an answer. */
  keyFor(context: AnswerContext, { generation }: CacheState): AnswerKey {
    const shared = context.patientId === null && !context.withHistory && context.sources.every((s) => s.sourceKind === 'doc');
    const scopeKey = sha256Hex(
      JSON.stringify({
        format: KEY_FORMAT,
        scope: shared ? 'docs' : `doctor:${context.doctorId}`,
        patientId: context.patientId,
        generation,
        embeddingModel: this.deps.embedder.model,
        chatModel: this.options.chatModel,
        promptVersion: PROMPT_VERSION,
        chunks: sha256Hex(context.sources.map((source) => source.chunkId).sort().join('\n')),
      }),
    );
    return {
      cacheKey: sha256Hex(`${scopeKey}\n${normaliseQuestion(context.question)}`),
      scopeKey,
      question: context.question,
      guardTerms: extractGuardTerms(context.question),
      doctorId: shared ? null : context.doctorId,
      patientId: context.patientId,
      sourceKeys: [...new Set(context.sources.map(sourceKeyOf))],
    };
  }

  /**
   * An exact hit, else a semantic one, else null. Both layers are read side by side: most
   * lookups miss both, and the semantic read is wasted only on an exact hit. Never throws
   * but for an abort.
   */
  async lookup(key: AnswerKey, signal?: AbortSignal): Promise<CacheHit | null> {
    await this.writes.pendingOn([key.cacheKey, key.scopeKey]);
    const [exact, nearest] = await Promise.all([
      this.fromStore(() => this.deps.store.get(answerEntry(key.cacheKey))),
      this.nearestCachedQuestion(key, signal),
    ]);
    if (exact.value) {
      this.deps.metrics.cacheLookups.inc({ result: 'exact_hit' });
      const { conversationId, ...answer } = JSON.parse(exact.value) as ExactEntry;
      return { kind: 'exact', answer, conversationId };
    }
    const row = nearest.value;
    if (row && row.similarity >= this.options.semanticMinSimilarity) {
      try {
        await this.deps.pool.query(BUMP_HITS([row.cache_key]));
        this.deps.metrics.cacheLookups.inc({ result: 'semantic_hit' });
        return { kind: 'semantic', answer: row.answer, conversationId: row.conversation_id };
      } catch (error) {
        this.semanticFailed(error, signal);
        this.deps.metrics.cacheLookups.inc({ result: 'error' });
        return null;
      }
    }
    this.deps.metrics.cacheLookups.inc({ result: exact.failed || nearest.failed ? 'error' : 'miss' });
    return null;
  }

  /** The semantic layer's nearest question in the key's scope, shaped like `fromStore`'s result; a failure is logged. */
  private async nearestCachedQuestion(key: AnswerKey, signal?: AbortSignal): Promise<{ value: SemanticRow | undefined; failed: boolean }> {
    try {
      const embedding = await this.embeddingOf(key, signal);
      const { rows } = await this.deps.pool.query<SemanticRow>(SELECT_SEMANTIC([key.scopeKey, encodeVector(embedding), key.guardTerms]));
      return { value: rows[0], failed: false };
    } catch (error) {
      this.semanticFailed(error, signal);
      return { value: undefined, failed: true };
    }
  }

  /** Rethrows an abort; logs anything else. */
  private semanticFailed(error: unknown, signal: AbortSignal | undefined): void {
    signal?.throwIfAborted();
    this.deps.logger.warn({ err: error }, 'semantic answer cache lookup failed; answering without it');
  }

  /**
   * Stores an answer in both layers, with the reverse indexes used to invalidate it.
   * Callers need not wait: until the write is done, lookups of its keys in this process
   * wait for it. Never throws.
   */
  remember(key: AnswerKey, answer: CachedAnswer, conversationId: string): Promise<void> {
    const entry: ExactEntry = { ...answer, conversationId };
    // Independent stores: side by side.
    const write = Promise.all([
      this.rememberSemantic(key, answer, conversationId),
      this.storeEntry(key.cacheKey, JSON.stringify(entry), conversationId, key.sourceKeys),
    ]);
    return this.track([key.cacheKey, key.scopeKey], write);
  }

  private async rememberSemantic(key: AnswerKey, answer: CachedAnswer, conversationId: string): Promise<void> {
    try {
      const embedding = await this.embeddingOf(key);
      await this.deps.pool.query(UPSERT([
        key.cacheKey,
        key.scopeKey,
        key.question,
        encodeVector(embedding),
        key.guardTerms,
        JSON.stringify(answer),
        key.sourceKeys,
        key.doctorId,
        key.patientId,
        conversationId,
        this.options.ttlSeconds,
      ]));
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'answer not cached in the database');
    }
  }

  /**
   * Stores the answer a first question got (generated or cached) under its pre-retrieval
   * key, with the state it was computed under, indexed by the conversation the answer
   * comes from and the sources it was built from, so erasing that conversation or
   * re-indexing a source removes it too. Like `remember`, callers need not wait. Never throws.
   */
  rememberFirstQuestion(
    firstKey: string,
    answer: FirstQuestionAnswer,
    from: { conversationId: string; key: AnswerKey; state: CacheState },
  ): Promise<void> {
    const entry: FirstQuestionEntry = { ...answer, state: from.state };
    return this.track([firstKey], this.storeEntry(firstKey, JSON.stringify(entry), from.conversationId, from.key.sourceKeys));
  }

  /** Tracks a write under its keys. Nobody may wait for it, so a failure the stores did not handle is logged here. */
  private track(keys: string[], write: Promise<unknown>): Promise<void> {
    const logged = write.then(
      () => undefined,
      (error: unknown) => this.deps.logger.error({ err: error }, 'answer not cached'),
    );
    return this.writes.track(keys, logged);
  }

  /** Resolves once the writes in flight now are done (shutdown, and tests reading the stores directly). */
  settled(): Promise<void> {
    return this.writes.settled();
  }

  private async storeEntry(cacheKey: string, value: string, conversationId: string, sourceKeys: string[]): Promise<void> {
    const ttl = this.options.ttlSeconds;
    await this.fromStore(async () => {
      // Reverse indexes first: an entry is never stored where erasure or invalidation cannot find it.
      await Promise.all([
        this.deps.store.addToSet(byConversation(conversationId), [cacheKey], ttl),
        ...sourceKeys.map((sourceKey) => this.deps.store.addToSet(bySource(sourceKey), [cacheKey], ttl)),
      ]);
      await this.deps.store.set(answerEntry(cacheKey), value, ttl);
    });
  }

  /**
   * Removes the exact-layer answers a conversation produced (its database rows go with
   * the conversation). Throws DependencyError('redis') when the store is down, so that an
   * erasure is never reported done while copies remain.
   */
  async forgetConversation(conversationId: string): Promise<void> {
    // A write still in flight could otherwise land after the erasure.
    await this.writes.settled();
    const keys = await this.deps.store.popSet(byConversation(conversationId));
    await this.deps.store.delete(keys.map(answerEntry));
  }

  /**
   * Drops every cached answer built from these sources ('<kind>:<collection>:<sourceId>'):
   * the ingest pipeline calls it when sources change or go. The store is cleaned on a
   * best-effort basis: exact keys name the chunks they were built from, and the epoch
   * moved here is part of every pre-retrieval key, so neither can be hit any more.
   */
  async invalidateSources(sourceKeys: string[]): Promise<void> {
    if (sourceKeys.length === 0) return;
    await this.writes.settled();
    await this.deps.pool.query(BUMP_EPOCH);
    const { rows } = await this.deps.pool.query<{ cache_key: string }>(DELETE_BY_SOURCES, [sourceKeys]);
    await this.fromStore(async () => {
      const keys = new Set(rows.map((row) => row.cache_key));
      for (const sourceKey of sourceKeys) for (const key of await this.deps.store.popSet(bySource(sourceKey))) keys.add(key);
      await this.deps.store.delete([...keys].map(answerEntry));
    });
  }

  /** Deletes expired rows of the semantic layer (the store expires its entries itself). */
  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.deps.pool.query(DELETE_EXPIRED);
    return rowCount ?? 0;
  }

  private async embeddingOf(key: AnswerKey, signal?: AbortSignal): Promise<number[]> {
    key.embedding ??= await this.deps.embedder.embedQuery(key.question, { signal });
    return key.embedding;
  }

  /** Runs a store operation; a store failure is logged once per outage and reported, not thrown. */
  private async fromStore<T>(operation: () => Promise<T>): Promise<{ value: T | undefined; failed: boolean }> {
    try {
      const value = await operation();
      if (this.storeDown) this.deps.logger.info('answer cache store is back');
      this.storeDown = false;
      return { value, failed: false };
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (!this.storeDown) this.deps.logger.warn({ err: error }, 'answer cache store unavailable; serving without the exact cache');
      this.storeDown = true;
      return { value: undefined, failed: true };
    }
  }
}

/** Case, spacing, Unicode forms and final punctuation do not change a question. */
export function normaliseQuestion(question: string): string {
  return question.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').replace(/[\s?!.]+$/, '').trim();
}
