import type { SearchHit } from './search.types.js';

/** What the best hit of a search must reach for the search to count as evidence. */
export interface EvidenceFloors {
  /** Cosine similarity of the question's vector to the best chunk. */
  minSimilarity: number;
  /** Share of the question's term weight (by IDF) held by the best lexical match. */
  minCoverage: number;
}

/**
 * Whether a search found too little to answer from. A question the corpus knows shares
 * its rarer words with some chunk or lies near one in the embedding space; an unrelated
 * one ("who was the lead singer of Queen?") matches a common word or two at most, and
 * its rare words are nowhere in the corpus. Refusing then means no citations and no model
 * call, rather than an answer built from noise.
 */
export function isWeakEvidence(hits: readonly SearchHit[], floors: EvidenceFloors): boolean {
  if (hits.length === 0) return true;
  const bestSimilarity = Math.max(...hits.map((hit) => hit.similarity));
  const bestCoverage = Math.max(...hits.map((hit) => hit.lexicalCoverage ?? 0));
  return bestSimilarity < floors.minSimilarity && bestCoverage < floors.minCoverage;
}
