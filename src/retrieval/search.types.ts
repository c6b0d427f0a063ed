import type { SourceKind } from '../ingest/types.js';
import type { EvidenceVerdict } from './evidence.js';

/**
 * Who is asking, as far as data access goes. Documentation is visible to everyone; a
 * record chunk only to the doctors listed on it. `doctorId: null` means "documentation
 * only". There is deliberately no way to say "everything".
 */
export interface AccessScope {
  doctorId: string | null;
}

export interface SearchFilters {
  modules?: string[];
  sourceKinds?: SourceKind[];
  /** Only this patient's record chunks (and still only if the doctor may see them). */
  patientId?: string;
}

export interface SearchRequest {
  query: string;
  k: number;
  scope: AccessScope;
  filters?: SearchFilters;
  signal?: AbortSignal;
}

export type MatchReason = 'vector' | 'lexical' | 'both';

export interface SearchHit {
  chunkId: string;
  sourceKind: SourceKind;
  /** The source's path under its collection without extension (`GARD/0000335`), or `patient/<id>/...`. */
  sourceId: string;
  collection: string;
  uri: string;
  module: string | null;
  title: string;
  /** Title first, then the headings above the chunk. */
  headingPath: string[];
  url: string | null;
  chunkIndex: number;
  content: string;
  /** Tokens of the chunk as indexed (heading path and content): what it costs in a prompt. */
  tokenCount: number;
  patientId: string | null;
  similarity: number;
  vectorRank: number | null;
  lexicalRank: number | null;
  /** BM25 score, when the chunk was among the lexical candidates. */
  lexicalScore: number | null;
  /** Share of the question's term weight (by IDF) the chunk holds, when it was a lexical candidate. */
  lexicalCoverage: number | null;
  /** Fused score (reciprocal rank fusion); higher is better. */
  score: number;
  matchReason: MatchReason;
}

export interface DetectedModule {
  name: string;
  title: string;
  similarity: number;
}

/** The retrieval operations the chat use case and the HTTP routes depend on. */
export interface Retriever {
  search(request: SearchRequest): Promise<SearchHit[]>;
  detectModules(question: string, options?: { limit?: number; signal?: AbortSignal }): Promise<DetectedModule[]>;
}

/** A search as it was decided: the fused ranking before the evidence floor, the floor and the verdict. */
export interface SearchExplanation {
  hits: SearchHit[];
  evidence: EvidenceVerdict & {
    /** The similarity the best hit had to reach. */
    floor: number;
    /** `configured` (SEARCH_MIN_SIMILARITY) or `corpus` (measured on the indexed documentation). */
    floorSource: 'configured' | 'corpus';
  };
}

/** Explains a search for debugging (the admin console); never used to answer. */
export interface SearchExplainer {
  explain(request: SearchRequest): Promise<SearchExplanation>;
}
