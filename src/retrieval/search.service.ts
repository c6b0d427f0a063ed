import type pg from 'pg';
import { preparedStatement } from '../db/prepared-statement.js';
import { encodeVector } from '../db/vector-binary.js';
import type { Embedder } from '../llm/embeddings/embedder.js';
import type { Metrics } from '../metrics.js';
import { isWeakEvidence, type EvidenceFloors } from './evidence.js';
import type { DetectedModule, Retriever, SearchHit, SearchRequest } from './search.types.js';

export interface SearchSettings {
  /** What the best hit must reach for the search to count as evidence (see evidence.ts). */
  evidence: EvidenceFloors;
  vectorWeight: number;
  lexicalWeight: number;
  efSearch: number;
  /** Cosine similarity a module summary needs to be detected. */
  moduleThreshold: number;
}

/**
 * Calibrated per embedder on development questions (docs/retrieval-research.md says how to
 * recalibrate): the offline embedder's similarities run low, OpenAI's higher.
 */
export const DEFAULT_FLOORS = {
  offline: { evidence: { minSimilarity: 0.15, minCoverage: 0.5 }, moduleThreshold: 0.13 },
  openai: { evidence: { minSimilarity: 0.25, minCoverage: 0.5 }, moduleThreshold: 0.25 },
} as const;

const SEARCH_CHUNKS = preparedStatement('search_chunks', `
  SELECT id, source_kind, collection, source_id, source_uri, module, title, heading_path, url, chunk_index, content,
         token_count, patient_id, similarity, vector_rank, lexical_rank, lexical_score, lexical_coverage, score, match_reason
  FROM llm_assistant.search_chunks(
    query_embedding => $1::vector, match_count => $2, doctor_id => $3::uuid, query_text => $4,
    filter_modules => $5, filter_source_kinds => $6, filter_patient_id => $7::uuid,
    vector_weight => $8, lexical_weight => $9, ef_search => $10)`);

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
  lexical_score: number | null;
  lexical_coverage: number | null;
  score: number;
  match_reason: 'vector' | 'lexical' | 'both';
}

/**
 * Hybrid retrieval through the SQL functions: the scope and every filter are applied
 * inside `search_chunks`, so no code path can read a record chunk without a doctor scope.
 * A result too weak to answer from is no result: the caller says "nothing found".
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
      this.settings.vectorWeight,
      this.settings.lexicalWeight,
      this.settings.efSearch,
    ]));
    this.metrics?.retrievalDuration.observe((performance.now() - started) / 1000);
    const hits = rows.map(toHit);
    return isWeakEvidence(hits, this.settings.evidence) ? [] : hits;
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
    lexicalScore: row.lexical_score,
    lexicalCoverage: row.lexical_coverage,
    score: row.score,
    matchReason: row.match_reason,
  };
}
