import type pg from 'pg';
import { preparedStatement } from '../db/prepared-statement.js';
import { encodeVector } from '../db/vector-binary.js';
import type { Embedder } from '../llm/embeddings/embedder.js';
import type { Metrics } from '../metrics.js';
import type { DetectedModule, Retriever, SearchHit, SearchRequest } from './search.types.js';

export interface SearchSettings {
  /** Cosine similarity a chunk needs to be returned at all. */
  minSimilarity: number;
  vectorWeight: number;
  lexicalWeight: number;
  efSearch: number;
  /** Cosine similarity a module summary needs to be detected. */
  moduleThreshold: number;
}

/**
 * Floors per embedder. Offline (docs/retrieval-research.md, calibrated on examples/):
 * unrelated questions reach top similarities of 0.03-0.34 and real platform questions
 * 0.12-0.64, so no floor separates them all; 0.15 keeps 38 of 40 real questions and
 * drops 9 of 15 unrelated ones (the answerer refuses the rest when no sentence matches).
 * Module summaries separate better: at 0.13 no unrelated question detects a module.
 * OpenAI's similarities run higher; its floors are starting points to calibrate with
 * `npm run eval` on a real corpus.
 */
export const DEFAULT_FLOORS = {
  offline: { minSimilarity: 0.15, moduleThreshold: 0.13 },
  openai: { minSimilarity: 0.25, moduleThreshold: 0.25 },
} as const;

// The stored token count rides along (a primary-key probe per hit), so the prompt is
// budgeted without tokenizing every source again. A subquery, not a join: planned
// against the function's default estimate of 1,000 rows, a join hashed the whole table
// (+6 ms a question on 5,000 chunks).
const SEARCH_CHUNKS = preparedStatement('search_chunks', `
  SELECT s.id, s.source_kind, s.collection, s.source_id, s.source_uri, s.module, s.title, s.heading_path, s.url,
         s.chunk_index, s.content, (SELECT c.token_count FROM llm_assistant.docs_chunks c WHERE c.id = s.id) AS token_count,
         s.patient_id, s.similarity, s.vector_rank, s.lexical_rank, s.score, s.match_reason
  FROM llm_assistant.search_chunks(
    query_embedding => $1::vector, match_count => $2, doctor_id => $3::uuid, query_text => $4,
    filter_modules => $5, filter_source_kinds => $6, filter_patient_id => $7::uuid,
    min_similarity => $8, vector_weight => $9, lexical_weight => $10, ef_search => $11) WITH ORDINALITY AS s
  ORDER BY s.ordinality`);

const DETECT_MODULES = preparedStatement(
  'detect_modules',
  `SELECT name, title, similarity FROM llm_assistant.detect_modules($1::vector, $2, $3)`,
);

interface SearchRow {
  id: string;
  source_kind: 'doc' | 'record';
  collection: string;
  source_id: string;
  source_uri: string;
  module: string | null;
  title: string;
  heading_path: string[];
  url: string | null;
  chunk_index: number;
  content: string;
  token_count: number;
  patient_id: string | null;
  similarity: number;
  vector_rank: number | null;
  lexical_rank: number | null;
  score: number;
  match_reason: 'vector' | 'lexical' | 'both';
}

/**
 * Hybrid retrieval through the SQL functions: the scope and every filter are applied
 * inside `search_chunks`, so no code path can read a record chunk without a doctor scope.
 */
export class SearchService implements Retriever {
  constructor(
    private readonly pool: pg.Pool,
    private readonly embedder: Embedder,
    private readonly settings: SearchSettings,
    private readonly metrics?: Metrics,
  ) {}

  async search(request: SearchRequest): Promise<SearchHit[]> {
    const embedding = await this.embedder.embedQuery(request.query, { signal: request.signal });
    const started = performance.now();
    const { rows } = await this.pool.query<SearchRow>(SEARCH_CHUNKS([
      encodeVector(embedding),
      request.k,
      request.scope.doctorId,
      request.query,
      request.filters?.modules?.length ? request.filters.modules : null,
      request.filters?.sourceKinds?.length ? request.filters.sourceKinds : null,
      request.filters?.patientId ?? null,
      this.settings.minSimilarity,
      this.settings.vectorWeight,
      this.settings.lexicalWeight,
      this.settings.efSearch,
    ]));
    this.metrics?.retrievalDuration.observe((performance.now() - started) / 1000);
    return rows.map(toHit);
  }

  async detectModules(question: string, options: { limit?: number; signal?: AbortSignal } = {}): Promise<DetectedModule[]> {
    const embedding = await this.embedder.embedQuery(question, { signal: options.signal });
    const { rows } = await this.pool.query<DetectedModule>(DETECT_MODULES([
      encodeVector(embedding),
      this.settings.moduleThreshold,
      options.limit ?? 3,
    ]));
    return rows;
  }
}

function toHit(row: SearchRow): SearchHit {
  return {
    chunkId: row.id,
    sourceKind: row.source_kind,
    sourceId: row.source_id,
    collection: row.collection,
    uri: row.source_uri,
    module: row.module,
    title: row.title,
    headingPath: row.heading_path,
    url: row.url,
    chunkIndex: row.chunk_index,
    content: row.content,
    tokenCount: row.token_count,
    patientId: row.patient_id,
    similarity: row.similarity,
    vectorRank: row.vector_rank,
    lexicalRank: row.lexical_rank,
    score: row.score,
    matchReason: row.match_reason,
  };
}
