import type { SearchHit } from './search.types.js';

/**
 * Whether a search found too little to answer from. The floor is the similarity that
 * unrelated questions reach in this corpus (see `backgroundFloor`): a larger or broader
 * corpus lends every question a closer "best match", so no fixed number fits all. A
 * patient's record found by its words is evidence whatever its similarity: a doctor
 * asking about their own patient names what the record holds.
 */
export function isWeakEvidence(hits: readonly SearchHit[], minSimilarity: number): boolean {
  return judgeEvidence(hits, minSimilarity).weak;
}

/** Why a search counts as evidence or not (see isWeakEvidence). */
export type EvidenceReason = 'no_hits' | 'record_found_by_words' | 'below_floor' | 'at_or_above_floor';

export interface EvidenceVerdict {
  weak: boolean;
  reason: EvidenceReason;
  /** The best hit's similarity; null without hits. */
  bestSimilarity: number | null;
}

/** isWeakEvidence with its reason, for whoever must explain a refusal. */
export function judgeEvidence(hits: readonly SearchHit[], minSimilarity: number): EvidenceVerdict {
  if (hits.length === 0) return { weak: true, reason: 'no_hits', bestSimilarity: null };
  const bestSimilarity = Math.max(...hits.map((hit) => hit.similarity));
  if (hits.some((hit) => hit.sourceKind === 'record' && hit.lexicalRank !== null)) {
    return { weak: false, reason: 'record_found_by_words', bestSimilarity };
  }
  return bestSimilarity < minSimilarity
    ? { weak: true, reason: 'below_floor', bestSimilarity }
    : { weak: false, reason: 'at_or_above_floor', bestSimilarity };
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
