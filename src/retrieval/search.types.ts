import type { SourceKind } from '../ingest/types.js';
import type { RecordReader } from '../security/audit.js';
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

/** A question and its embedding: computed once, then used by every step that needs either. */
export interface QuestionVector {
  text: string;
  embedding: number[];
}

export interface SearchRequest {
  question: QuestionVector;
  k: number;
  scope: AccessScope;
  filters?: SearchFilters;
  /** Who reads what the search returns; required whenever record chunks can come back (audit trail). */
  readBy?: RecordReader;
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
  /** Fused score: the weighted sum of the BM25 and cosine scores, each scaled to [0, 1] over its candidates; higher is better. */
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
  /** The question's vector, for search, module detection and the answer cache alike. */
  embed(question: string, signal?: AbortSignal): Promise<QuestionVector>;
  search(request: SearchRequest): Promise<SearchHit[]>;
  detectModules(question: QuestionVector, options?: { limit?: number }): Promise<DetectedModule[]>;
}

/** A search as it was decided: the fused ranking before the evidence floor, the floor and the verdict. */
export interface SearchExplanation {
  hits: SearchHit[];
  evidence: EvidenceVerdict & {
    /** The best BM25 score among the question's word candidates; null without them. */
    bestLexicalScore: number | null;
    /** What `evidence` had to reach: the corpus's floor, lowered by a strong word match. */
    floor: number;
    /** `configured` (SEARCH_MIN_SIMILARITY) or `corpus` (measured on the indexed documentation). */
    floorSource: 'configured' | 'corpus';
  };
}

/** Explains a search for debugging (the admin console); never used to answer. */
export interface SearchExplainer extends Pick<Retriever, 'embed'> {
  explain(request: SearchRequest): Promise<SearchExplanation>;
}
