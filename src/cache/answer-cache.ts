import type pg from 'pg';
import { preparedStatement } from '../db/prepared-statement.js';
import { encodeVector } from '../db/vector-binary.js';
import { sha256Hex } from '../lib/sha256.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { QuestionVector, SearchHit } from '../retrieval/search.types.js';
import { extractGuardTerms } from './guard-terms.js';

/** Everything about a request that decides its answer. */
export interface AnswerContext {
  /** The standalone question and its vector (the one search used). */
  question: QuestionVector;
  doctorId: string;
  patientId: string | null;
  /** The hits given to the model, in prompt order. */
  sources: Pick<SearchHit, 'chunkId' | 'sourceKind' | 'collection' | 'sourceId'>[];
  /** Whether conversation memory (recent turns or a summary) was in the prompt. */
  withHistory: boolean;
}

/** Where an answer is cached: its exact key, the scope near questions are looked up in, and what the row records. */
export interface AnswerKey {
  cacheKey: string;
  scopeKey: string;
  question: QuestionVector;
  guardTerms: string[];
  /** Null when the answer may be shared by every doctor (documentation only). */
  doctorId: string | null;
  patientId: string | null;
  /** '<kind>:<collection>:<sourceId>' of every source in the prompt. */
  sourceKeys: string[];
}

/** A cached answer, found by its exact question or a near one, and the conversation it was first given in. */
export interface CacheHit<Answer> {
  kind: 'exact' | 'semantic';
  answer: Answer;
  conversationId: string | null;
}

export interface AnswerCacheOptions {
  ttlSeconds: number;
  semanticMinSimilarity: number;
  embeddingModel: string;
  chatModel: string;
  /** Retrieval and prompt settings that change answers (prompt version, k, budgets, floors), as one string. */
  settings: string;
}

/** Bump when the cached payload or key layout changes. */
const KEY_FORMAT = 4;

// The exact question if it is cached, else the nearest one in the same scope with the same
// guard terms; counted as a hit (and its hit_count moved) only when close enough.
const LOOKUP = preparedStatement('answer_cache_lookup', `
  WITH nearest AS (
    SELECT cache_key, cache_key = $1 AS exact, answer, conversation_id,
           1 - (question_embedding <=> $3::vector) AS similarity
    FROM llm_assistant.query_cache
    WHERE scope_key = $2 AND guard_terms = $4::text[] AND expires_at > now()
    ORDER BY cache_key = $1 DESC, question_embedding <=> $3::vector
    LIMIT 1
  )
  UPDATE llm_assistant.query_cache AS cached
  SET hit_count = cached.hit_count + 1
  FROM nearest
  WHERE cached.cache_key = nearest.cache_key AND (nearest.exact OR nearest.similarity >= $5)
  RETURNING nearest.exact, nearest.answer, nearest.conversation_id`);

const UPSERT = preparedStatement('answer_cache_upsert', `
  INSERT INTO llm_assistant.query_cache
    (cache_key, scope_key, question, question_embedding, guard_terms, answer, cited_sources,
     doctor_id, patient_id, conversation_id, expires_at)
  VALUES ($1, $2, $3, $4::vector, $5::text[], $6::jsonb, $7::text[], $8, $9, $10, now() + make_interval(secs => $11))
  ON CONFLICT (cache_key) DO UPDATE SET
    answer = excluded.answer, cited_sources = excluded.cited_sources, conversation_id = excluded.conversation_id,
    hit_count = 0, created_at = now(), expires_at = excluded.expires_at`);

const DELETE_EXPIRED = `DELETE FROM llm_assistant.query_cache WHERE expires_at <= now()`;

/**
 * The answer cache: one table, llm_assistant.query_cache. A question is answered from it
 * when the same question (normalised), or a near one (cosine similarity of the question
 * vectors, same negations, drugs and doses), was answered in the same scope.
 *
 * The scope is everything but the wording that decides an answer: the doctor (or
 * "documentation", shared by all), the patient, the models, the prompt version, the
 * settings, and the exact set of chunks retrieved for the question. So a source changed
 * or added, a record a doctor may no longer read, or a better chunk found for the
 * question each mean a different scope: a miss, by construction. Rows citing a source
 * that changes are also deleted in the very transaction that changes it
 * (sql/functions/drop_cached_answers.sql), and with the conversation the answer was first
 * given in (foreign key), so an erased conversation leaves no answer behind.
 *
 * An answer is shared across doctors only when nothing in its prompt could come from a
 * record: no patient, no record chunk, no conversation memory (earlier turns may quote
 * records).
 *
 * The cache is never the reason a request fails: a failed read is a miss, a failed write
 * an answer not cached; both are logged and counted.
 */
export class AnswerCache<Answer> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: AnswerCacheOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  keyFor(context: AnswerContext): AnswerKey {
    const shared = context.patientId === null && !context.withHistory && context.sources.every((s) => s.sourceKind === 'doc');
    const scopeKey = sha256Hex(
      JSON.stringify({
        format: KEY_FORMAT,
        scope: shared ? 'docs' : `doctor:${context.doctorId}`,
        patientId: context.patientId,
        embeddingModel: this.options.embeddingModel,
        chatModel: this.options.chatModel,
        settings: this.options.settings,
        chunks: context.sources.map((source) => source.chunkId).sort(),
      }),
    );
    return {
      cacheKey: sha256Hex(`${scopeKey}\n${normaliseQuestion(context.question.text)}`),
      scopeKey,
      question: context.question,
      guardTerms: extractGuardTerms(context.question.text),
      doctorId: shared ? null : context.doctorId,
      patientId: context.patientId,
      sourceKeys: [...new Set(context.sources.map(sourceKeyOf))],
    };
  }

  /** The cached answer for this key, exact or near, or null. Throws only when aborted. */
  async lookup(key: AnswerKey, signal?: AbortSignal): Promise<CacheHit<Answer> | null> {
    try {
      const { rows } = await this.pool.query<{ exact: boolean; answer: Answer; conversation_id: string | null }>(
        LOOKUP([key.cacheKey, key.scopeKey, encodeVector(key.question.embedding), key.guardTerms, this.options.semanticMinSimilarity]),
      );
      const row = rows[0];
      const kind = row ? (row.exact ? 'exact' : 'semantic') : null;
      this.metrics.cacheLookups.inc({ result: kind ? `${kind}_hit` : 'miss' });
      return row && kind ? { kind, answer: row.answer, conversationId: row.conversation_id } : null;
    } catch (error) {
      signal?.throwIfAborted();
      this.metrics.cacheLookups.inc({ result: 'error' });
      this.logger.warn({ err: error }, 'answer cache lookup failed; answering without it');
      return null;
    }
  }

  /** Caches an answer given in a stored conversation. Never throws. */
  async remember(key: AnswerKey, answer: Answer, conversationId: string): Promise<void> {
    try {
      await this.pool.query(UPSERT([
        key.cacheKey,
        key.scopeKey,
        key.question.text,
        encodeVector(key.question.embedding),
        key.guardTerms,
        JSON.stringify(answer),
        key.sourceKeys,
        key.doctorId,
        key.patientId,
        conversationId,
        this.options.ttlSeconds,
      ]));
    } catch (error) {
      this.logger.warn({ err: error }, 'answer not cached');
    }
  }

  /** Deletes expired answers. */
  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.pool.query(DELETE_EXPIRED);
    return rowCount ?? 0;
  }
}

/** '<kind>:<collection>:<sourceId>': how cached answers name their sources (as sql/functions/drop_cached_answers.sql does). */
function sourceKeyOf(source: Pick<SearchHit, 'sourceKind' | 'collection' | 'sourceId'>): string {
  return `${source.sourceKind}:${source.collection}:${source.sourceId}`;
}

/** Case, spacing, Unicode forms and final punctuation do not change a question. */
export function normaliseQuestion(question: string): string {
  return question.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').replace(/[\s?!.]+$/, '').trim();
}
