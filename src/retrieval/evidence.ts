import type { SearchHit } from './search.types.js';

/** Why a search counts as evidence or not (see judgeEvidence). */
export type EvidenceReason = 'no_hits' | 'record_found_by_words' | 'names_a_title' | 'below_floor' | 'at_or_above_floor' | 'not_measured';

export interface EvidenceVerdict {
  weak: boolean;
  reason: EvidenceReason;
  /** The mean similarity of the question's nearest chunks; null without a vector list. */
  evidence: number | null;
}

/** What search_chunks measures of a question, beside its ranking. */
export interface QuestionEvidence {
  /** The mean similarity of its 10 nearest chunks; null without a vector list. */
  evidence: number | null;
  /** The best BM25 score among its word candidates; null without them. */
  bestLexicalScore: number | null;
  /** Whether a word candidate's title holds every word of the question. */
  namesATitle: boolean;
}

/**
 * Whether a search found too little to answer from, and why. `evidence` is how close the
 * corpus comes to the question (search_chunks: the mean similarity of its 10 nearest
 * chunks); the floor is what unrelated questions reach in this corpus (see
 * `evidenceFloor`): a larger or broader corpus lends every question closer neighbours, so
 * no fixed number fits all. Two word matches are evidence whatever the similarity: a
 * patient's record found by its words (a doctor asking about their own patient names what
 * the record holds), and a title that holds every word of the question (the sentence
 * encoder places a lone word such as "gout" far from every chunk).
 */
export function judgeEvidence(hits: readonly SearchHit[], question: Pick<QuestionEvidence, 'evidence' | 'namesATitle'>, floor: number): EvidenceVerdict {
  const { evidence } = question;
  if (hits.length === 0) return { weak: true, reason: 'no_hits', evidence };
  if (hits.some((hit) => hit.sourceKind === 'record' && hit.lexicalRank !== null)) {
    return { weak: false, reason: 'record_found_by_words', evidence };
  }
  if (question.namesATitle) return { weak: false, reason: 'names_a_title', evidence };
  // No vector list (vector weight 0): nothing to judge by, the ranking stands.
  if (evidence === null) return { weak: false, reason: 'not_measured', evidence };
  return evidence < floor ? { weak: true, reason: 'below_floor', evidence } : { weak: false, reason: 'at_or_above_floor', evidence };
}

/** Where a corpus puts unrelated questions on one signal: the median and its median absolute deviation. */
export interface Spread {
  median: number;
  deviation: number;
}

/**
 * How unrelated questions fare in a corpus: the evidence their nearest chunks give, and
 * the best BM25 score their words reach.
 */
export interface Background {
  evidence: Spread;
  bestLexicalScore: Spread;
}

/** How far above unrelated questions a real one's evidence must be, in median absolute deviations. */
const BACKGROUND_MADS = 2.5;
/** How much of a word match's lead over unrelated questions (in their deviations) lowers that margin. */
const WORD_MATCH_SHARE = 0.25;

/**
 * The evidence a question must reach: BACKGROUND_MADS deviations above the median of
 * unrelated questions (an outlier test that a few unrelated questions close to the corpus
 * do not move), never under `atLeast` (the embedder's own floor). A question whose words
 * match the corpus better than unrelated questions' do (the best BM25 score) needs less:
 * a quarter of that lead comes off the margin, down to none, so that a long message full
 * of common words never passes on words alone. A weak word match never raises the floor,
 * since a short question scores low on words whatever it asks.
 */
export function evidenceFloor(background: Background, bestLexicalScore: number | null, atLeast: number): number {
  const { evidence, bestLexicalScore: words } = background;
  const wordLead = bestLexicalScore !== null && words.deviation > 0 ? Math.max(0, (bestLexicalScore - words.median) / words.deviation) : 0;
  const margin = Math.max(0, BACKGROUND_MADS - WORD_MATCH_SHARE * wordLead);
  return Math.max(atLeast, evidence.median + evidence.deviation * margin);
}

/** The median and median absolute deviation of a signal over the background questions (zero when there are none). */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { median: 0, deviation: 0 };
  const middle = median(values);
  return { median: middle, deviation: median(values.map((value) => Math.abs(value - middle))) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}
