import type { SearchHit } from './search.types.js';

/**
 * Whether a search found too little to answer from. `evidence` is how close the corpus
 * comes to the question (search_chunks: the mean similarity of its 10 nearest chunks);
 * the floor is what unrelated questions reach in this corpus (see `backgroundFloor`): a
 * larger or broader corpus lends every question closer neighbours, so no fixed number
 * fits all. A patient's record found by its words is evidence whatever its similarity:
 * a doctor asking about their own patient names what the record holds.
 */
export function isWeakEvidence(hits: readonly SearchHit[], evidence: number | null, floor: number): boolean {
  return judgeEvidence(hits, evidence, floor).weak;
}

/** Why a search counts as evidence or not (see isWeakEvidence). */
export type EvidenceReason = 'no_hits' | 'record_found_by_words' | 'below_floor' | 'at_or_above_floor' | 'not_measured';

export interface EvidenceVerdict {
  weak: boolean;
  reason: EvidenceReason;
  /** The mean similarity of the question's nearest chunks; null without a vector list. */
  evidence: number | null;
}

/** isWeakEvidence with its reason, for whoever must explain a refusal. */
export function judgeEvidence(hits: readonly SearchHit[], evidence: number | null, floor: number): EvidenceVerdict {
  if (hits.length === 0) return { weak: true, reason: 'no_hits', evidence };
  if (hits.some((hit) => hit.sourceKind === 'record' && hit.lexicalRank !== null)) {
    return { weak: false, reason: 'record_found_by_words', evidence };
  }
  // No vector list (vector weight 0): nothing to judge by, the ranking stands.
  if (evidence === null) return { weak: false, reason: 'not_measured', evidence };
  return evidence < floor ? { weak: true, reason: 'below_floor', evidence } : { weak: false, reason: 'at_or_above_floor', evidence };
}

/** How far above unrelated questions a real one must be, in median absolute deviations. */
const BACKGROUND_MADS = 2;

/**
 * The evidence floor of a corpus: BACKGROUND_MADS median absolute deviations above the
 * median evidence of unrelated questions (an outlier test that a few unrelated questions
 * close to the corpus do not move), never under `atLeast` (the embedder's own floor).
 */
export function backgroundFloor(backgroundEvidence: readonly number[], atLeast: number): number {
  if (backgroundEvidence.length === 0) return atLeast;
  const middle = median(backgroundEvidence);
  const spread = median(backgroundEvidence.map((value) => Math.abs(value - middle)));
  return Math.max(atLeast, middle + BACKGROUND_MADS * spread);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}
