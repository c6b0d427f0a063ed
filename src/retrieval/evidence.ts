import type { SearchHit } from './search.types.js';

/**
 * Whether a search found too little to answer from. The floor is the similarity that
 * unrelated questions reach in this corpus (see `backgroundFloor`): a larger or broader
 * corpus lends every question a closer "best match", so no fixed number fits all. A
 * patient's record found by its words is evidence whatever its similarity: a doctor
 * asking about their own patient names what the record holds.
 */
export function isWeakEvidence(hits: readonly SearchHit[], minSimilarity: number): boolean {
  if (hits.length === 0) return true;
  if (hits.some((hit) => hit.sourceKind === 'record' && hit.lexicalRank !== null)) return false;
  return Math.max(...hits.map((hit) => hit.similarity)) < minSimilarity;
}

/** The floor is this quantile of unrelated questions' best similarity: a quarter of them may clear it. */
const BACKGROUND_QUANTILE = 0.75;

/**
 * The evidence floor of a corpus: the similarity that three quarters of unrelated
 * questions stay below, never under `atLeast` (the embedder's own floor).
 */
export function backgroundFloor(backgroundSimilarities: readonly number[], atLeast: number): number {
  if (backgroundSimilarities.length === 0) return atLeast;
  const sorted = [...backgroundSimilarities].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil(BACKGROUND_QUANTILE * sorted.length) - 1);
  return Math.max(atLeast, sorted[index]!);
}
