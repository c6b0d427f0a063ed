import type pg from 'pg';
import { preparedStatement } from '../db/prepared-statement.js';
import { encodeVector } from '../db/vector-binary.js';
import { sha256Hex } from '../lib/sha256.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { QuestionVector, SearchHit } from '../retrieval/search.types.js';
import { extractGuardTerms } from './guard-terms.js';

/** Everything about a request that decides its answer, known before anything is searched. */
export interface AnswerRequest {
  /** The standalone question and its vector (the one search will use). */
  question: QuestionVector;
  doctorId: string;
  patientId: string | null;
  /** The app modules the caller restricted retrieval to, if any. */
  modules: string[] | null;
  /** Whether conversation memory (recent turns or a summary) goes into the prompt. */
  withHistory: boolean;
}

/** Where an answer is cached: its exact key, the scope near questions are looked up in, and what the row records. */
export interface AnswerKey {
  cacheKey: string;
  scopeKey: string;
  question: QuestionVector;
  guardTerms: string[];
  /** Null when the answer is shared by every doctor who sees no record (documentation only). */
  doctorId: string | null;
  patientId: string | null;
}

/** What a cached row records of the sources in the prompt (the trigger drops it when one changes). */
export type PromptSource = Pick<SearchHit, 'sourceKind' | 'collection' | 'sourceId'>;

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
const KEY_FORMAT = 5;

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

// A doctor listed on any record chunk has searches that may return records: their
// answers are theirs alone. (The partial GIN index on allowed_doctor_ids serves it.)
const DOCTOR_SEES_RECORDS = preparedStatement('answer_cache_doctor_sees_records', `
  SELECT EXISTS (
    SELECT FROM llm_assistant.docs_chunks WHERE source_kind = 'record' AND allowed_doctor_ids @> ARRAY[$1::uuid]
  ) AS sees`);

const DELETE_EXPIRED = `DELETE FROM llm_assistant.query_cache WHERE expires_at <= now()`;

/**
 * The answer cache: one table, llm_assistant.query_cache, looked up before anything is
 * searched. A question is answered from it when the same question (normalised), or a
 * near one (cosine similarity of the question vectors, same negations, drugs and doses),
 * was answered in the same scope.
 *
 * The scope is everything but the wording that decides an answer, as far as it is known
 * before the search: what the asker may see (the doctor, or "documentation" when the
 * doctor sees no record), the patient, the module filter, the models, the prompt version
 * and the settings. What the index holds is kept current by deletion instead: rows go in
 * the very transaction that changes what they were built from
 * (sql/functions/drop_cached_answers.sql: a cited source changed or removed, any
 * documentation added, any record of the patient or of the doctor's patients), and with
 * the conversation the answer was first given in (foreign key), so an erased
 * conversation leaves no answer behind.
 *
 * An answer is shared across doctors only when nothing in its prompt could come from a
 * record: no patient, no conversation memory (earlier turns may quote records), and an
 * asker who sees no record at all.
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

  /** The key of a request: which scope it may reuse answers from, and its question there. */
  async keyFor(request: AnswerRequest): Promise<AnswerKey> {
    const shared = request.patientId === null && !request.withHistory && !(await this.seesRecords(request.doctorId));
    const scopeKey = sha256Hex(
      JSON.stringify({
        format: KEY_FORMAT,
        scope: shared ? 'docs' : `doctor:${request.doctorId}`,
        patientId: request.patientId,
        modules: request.modules ? [...request.modules].sort() : null,
        embeddingModel: this.options.embeddingModel,
        chatModel: this.options.chatModel,
        settings: this.options.settings,
      }),
    );
    return {
      cacheKey: sha256Hex(`${scopeKey}\n${normaliseQuestion(request.question.text)}`),
      scopeKey,
      question: request.question,
      guardTerms: extractGuardTerms(request.question.text),
      doctorId: shared ? null : request.doctorId,
      patientId: request.patientId,
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

  /**
   * Caches an answer given in a stored conversation, built from `sources`. Never throws.
   * A shared key never holds an answer built from a record (the search saw one the
   * index did not list for the doctor when the key was made): it is not cached.
   */
  async remember(key: AnswerKey, answer: Answer, sources: PromptSource[], conversationId: string): Promise<void> {
    if (key.doctorId === null && sources.some((source) => source.sourceKind === 'record')) return;
    try {
      await this.pool.query(UPSERT([
        key.cacheKey,
        key.scopeKey,
        key.question.text,
        encodeVector(key.question.embedding),
        key.guardTerms,
        JSON.stringify(answer),
        [...new Set(sources.map(sourceKeyOf))],
        key.doctorId,
        key.patientId,
        conversationId,
        this.options.ttlSeconds,
      ]));
    } catch (error) {
      this.logger.warn({ err: error }, 'answer not cached');
    }
  }

  /** Whether the doctor is listed on any record; on failure, yes (the doctor's own scope is always safe). */
  private async seesRecords(doctorId: string): Promise<boolean> {
    try {
      const { rows } = await this.pool.query<{ sees: boolean }>(DOCTOR_SEES_RECORDS([doctorId]));
      return rows[0]!.sees;
    } catch (error) {
      this.logger.warn({ err: error }, 'answer cache scope not read; the doctor\'s own scope is used');
      return true;
    }
  }

  /** Deletes expired answers. */
  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.pool.query(DELETE_EXPIRED);
    return rowCount ?? 0;
  }
}

/** '<kind>:<collection>:<sourceId>': how cached answers name their sources (as sql/functions/drop_cached_answers.sql does). */
function sourceKeyOf(source: PromptSource): string {
  return `${source.sourceKind}:${source.collection}:${source.sourceId}`;
}

/** Case, spacing, Unicode forms and final punctuation do not change a question. */
export function normaliseQuestion(question: string): string {
  return question.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').replace(/[\s?!.]+$/, '').trim();
}
