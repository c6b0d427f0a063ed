import type pg from 'pg';
import { preparedStatement } from '../db/prepared-statement.js';
import { encodeVector } from '../db/vector-binary.js';
import type { Embedder } from '../llm/embeddings/embedder.js';
import type { Metrics } from '../metrics.js';
import { BACKGROUND_QUESTIONS } from './background-questions.js';
import { evidenceFloor, judgeEvidence, spreadOf, type Background, type QuestionEvidence } from './evidence.js';
import type { DetectedModule, QuestionVector, Retriever, SearchExplainer, SearchExplanation, SearchHit, SearchRequest } from './search.types.js';

export interface SearchSettings {
  /**
   * Similarity the question's nearest chunks must reach (their mean) for a search to count
   * as evidence: the floor measured on the corpus's background, never below
   * `minSimilarity`; or exactly `minSimilarity` when `fixed`.
   */
  evidence: { minSimilarity: number; fixed: boolean };
  vectorWeight: number;
  lexicalWeight: number;
  efSearch: number;
  /** Cosine similarity a module summary needs to be detected. */
  moduleThreshold: number;
}

/**
 * Per embedder: lower bounds of the evidence floor, which itself comes from the corpus;
 * module thresholds (calibrated on the example documentation and the off-topic
 * development questions); and the vector list's
 * weight in the fusion, 0.4 of BM25's for the offline embedders, whose vectors trail it
 * on consumer questions (docs/retrieval-research.md).
 */
export const DEFAULT_FLOORS = {
  hashing: { minSimilarity: 0.15, moduleThreshold: 0.13, vectorWeight: 0.4 },
  'sentence-encoder': { minSimilarity: 0.15, moduleThreshold: 0.3, vectorWeight: 0.4 },
  openai: { minSimilarity: 0.25, moduleThreshold: 0.25, vectorWeight: 1 },
} as const;

// What the documentation corpus is now: the background floor is measured again when it changes.
const CORPUS_VERSION = preparedStatement(
  'corpus_version',
  `SELECT coalesce((SELECT chunk_count || ':' || total_length FROM llm_assistant.lexical_corpus WHERE source_kind = 'doc'), '') AS version`,
);

// Columns named as SearchHit names them, so rows are hits as they come (and the evidence).
const SEARCH_CHUNKS = preparedStatement('search_chunks', `
  SELECT id AS "chunkId", source_kind AS "sourceKind", collection, source_id AS "sourceId", source_uri AS uri, module, title,
         heading_path AS "headingPath", url, chunk_index AS "chunkIndex", content, token_count AS "tokenCount",
         patient_id AS "patientId", evidence, best_lexical_score AS "bestLexicalScore",
         names_a_title AS "namesATitle", similarity, vector_rank AS "vectorRank", lexical_rank AS "lexicalRank",
         lexical_score AS "lexicalScore", lexical_coverage AS "lexicalCoverage", score, match_reason AS "matchReason"
  FROM llm_assistant.search_chunks(
    query_embedding => $1::vector, match_count => $2, doctor_id => $3::uuid, query_text => $4,
    filter_modules => $5, filter_source_kinds => $6, filter_patient_id => $7::uuid,
    vector_weight => $8, lexical_weight => $9, ef_search => $10)`);

// How close the documentation comes to a question, by vectors and by words: what the background is measured with.
const DOCUMENTATION_EVIDENCE = preparedStatement(
  'documentation_evidence',
  `SELECT evidence, best_lexical_score AS "bestLexicalScore"
   FROM llm_assistant.search_chunks(query_embedding => $1::vector, match_count => 1, doctor_id => NULL, query_text => $2, ef_search => $3)`,
);

const DETECT_MODULES = preparedStatement(
  'detect_modules',
  `SELECT name, title, similarity FROM llm_assistant.detect_modules($1::vector, $2, $3)`,
);

/** A hit, and on every row the question's evidence. */
type SearchRow = SearchHit & QuestionEvidence;

/**
 * Hybrid retrieval through the SQL functions: the scope and every filter are applied
 * inside `search_chunks`, so no code path can read a record chunk without a doctor scope.
 * A result too weak to answer from is no result: the caller says "nothing found".
 */
export class SearchService implements Retriever, SearchExplainer {
  private background: { version: string; value: Promise<Background> } | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly embedder: Embedder,
    private readonly settings: SearchSettings,
    private readonly metrics?: Metrics,
  ) {}

  async embed(question: string, signal?: AbortSignal): Promise<QuestionVector> {
    return { text: question, embedding: await this.embedder.embedQuery(question, { signal }) };
  }

  async search(request: SearchRequest): Promise<SearchHit[]> {
    const { hits, evidence } = await this.explain(request);
    if (!evidence.weak) return hits;
    this.metrics?.searchRefusals.inc({ reason: evidence.reason });
    return [];
  }

  /** The ranking and the evidence verdict that `search` acts on. */
  async explain(request: SearchRequest): Promise<SearchExplanation> {
    const { minSimilarity, fixed } = this.settings.evidence;
    const [rows, background] = await Promise.all([this.rank(request), fixed ? null : this.corpusBackground()]);
    const hits = rows.map(({ evidence: _evidence, bestLexicalScore: _bestLexicalScore, namesATitle: _namesATitle, ...hit }) => hit);
    const question = { evidence: rows[0]?.evidence ?? null, namesATitle: rows[0]?.namesATitle ?? false };
    const bestLexicalScore = rows[0]?.bestLexicalScore ?? null;
    const floor = background ? evidenceFloor(background, bestLexicalScore, minSimilarity) : minSimilarity;
    return {
      hits,
      evidence: {
        ...judgeEvidence(hits, question, floor),
        bestLexicalScore,
        floor,
        floorSource: fixed ? 'configured' : 'corpus',
      },
    };
  }

  /** The fused ranking, before the evidence floor. */
  private async rank(request: SearchRequest): Promise<SearchRow[]> {
    const started = performance.now();
    const { rows } = await this.pool.query<SearchRow>(SEARCH_CHUNKS([
      encodeVector(request.question.embedding),
      request.k,
      request.scope.doctorId,
      request.question.text,
      request.filters?.modules?.length ? request.filters.modules : null,
      request.filters?.sourceKinds?.length ? request.filters.sourceKinds : null,
      request.filters?.patientId ?? null,
      this.settings.vectorWeight,
      this.settings.lexicalWeight,
      this.settings.efSearch,
    ]));
    this.metrics?.retrievalDuration.observe((performance.now() - started) / 1000);
    return rows;
  }

  /**
   * How close the documentation as indexed now comes to unrelated questions, measured
   * once per version of the corpus (a few dozen searches).
   */
  private async corpusBackground(): Promise<Background> {
    const { rows } = await this.pool.query<{ version: string }>(CORPUS_VERSION([]));
    const version = rows[0]?.version ?? '';
    if (this.background?.version !== version) {
      const value = this.measureBackground().catch((error: unknown) => {
        this.background = null;
        throw error;
      });
      this.background = { version, value };
    }
    return this.background.value;
  }

  private async measureBackground(): Promise<Background> {
    const evidence: number[] = [];
    const bestLexicalScores: number[] = [];
    for (const question of BACKGROUND_QUESTIONS) {
      const embedding = await this.embedder.embedQuery(question);
      const { rows } = await this.pool.query<Omit<QuestionEvidence, 'namesATitle'>>(
        DOCUMENTATION_EVIDENCE([encodeVector(embedding), question, this.settings.efSearch]),
      );
      if (rows[0]?.evidence != null) evidence.push(rows[0].evidence);
      // A question none of whose words the corpus holds scores 0 on words.
      bestLexicalScores.push(rows[0]?.bestLexicalScore ?? 0);
    }
    return { evidence: spreadOf(evidence), bestLexicalScore: spreadOf(bestLexicalScores) };
  }

  async detectModules(question: QuestionVector, options: { limit?: number } = {}): Promise<DetectedModule[]> {
    const { rows } = await this.pool.query<DetectedModule>(DETECT_MODULES([
      encodeVector(question.embedding),
      this.settings.moduleThreshold,
      options.limit ?? 3,
    ]));
    return rows;
  }
}
