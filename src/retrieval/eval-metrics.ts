/** One retrieved item, in rank order: the document it came from and its section. */
export interface RankedHit {
  doc: string;
  section?: string | null;
}

/** What answers a question: a document, and optionally the section within it. */
export interface RelevantItem {
  doc: string;
  section?: string | null;
}

export interface EvalQuestion {
  id: string;
  /** Best first; only the first 10 are looked at. */
  ranked: readonly RankedHit[];
  relevant: readonly RelevantItem[];
}

export interface LevelMetrics {
  /** Questions measured at this level (section level: those naming a section). */
  questions: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrrAt10: number;
}

export interface MissedQuestion {
  id: string;
  /** 1-based rank of the first relevant hit within the top 10, or null when none. */
  documentRank: number | null;
  sectionRank: number | null;
}

export interface EvalReport {
  document: LevelMetrics;
  section: LevelMetrics;
  /** Questions without a relevant hit in the top 5 at the stricter level they have. */
  missed: MissedQuestion[];
}

export interface EvalOptions {
  /**
   * Section names are compared after this; the default strips a repeat counter
   * ("Symptoms (2)" -> "Symptoms"), so any section of the asked kind counts.
   */
  normaliseSection?: (section: string) => string;
}

/** Strips the " (n)" counter MedQuAD gives a repeated section heading. */
export function stripSectionCounter(section: string): string {
  return section.replace(/\s*\(\d+\)$/, '').trim();
}

const CUTOFF = 10;

/**
 * Recall@1/5/10 and MRR@10 at document level and, for questions whose relevant items
 * name a section, at section level. Ranks are over the hits as given (chunks, not
 * de-duplicated documents), the way a prompt would receive them. Recall@k here is
 * "at least one relevant hit in the top k" (success@k), the usual reading when each
 * question has one answer.
 */
export function evaluateRetrieval(questions: readonly EvalQuestion[], options: EvalOptions = {}): EvalReport {
  const normalise = options.normaliseSection ?? stripSectionCounter;
  const documentRanks: Array<number | null> = [];
  const sectionRanks: Array<number | null> = [];
  const missed: MissedQuestion[] = [];

  for (const question of questions) {
    const top = question.ranked.slice(0, CUTOFF);
    const docs = new Set(question.relevant.map((item) => item.doc));
    const sections = new Set(
      question.relevant.flatMap((item) => (item.section ? [sectionKey(item.doc, normalise(item.section))] : [])),
    );
    const documentRank = firstRank(top, (hit) => docs.has(hit.doc));
    documentRanks.push(documentRank);
    let sectionRank: number | null = null;
    if (sections.size > 0) {
      sectionRank = firstRank(top, (hit) => hit.section != null && sections.has(sectionKey(hit.doc, normalise(hit.section))));
      sectionRanks.push(sectionRank);
    }
    const strictRank = sections.size > 0 ? sectionRank : documentRank;
    if (strictRank === null || strictRank > 5) missed.push({ id: question.id, documentRank, sectionRank });
  }

  return { document: summarise(documentRanks), section: summarise(sectionRanks), missed };
}

function sectionKey(doc: string, section: string): string {
  return doc + '\u0000' + section;
}

function firstRank(hits: readonly RankedHit[], isRelevant: (hit: RankedHit) => boolean): number | null {
  const index = hits.findIndex(isRelevant);
  return index === -1 ? null : index + 1;
}

function summarise(ranks: ReadonlyArray<number | null>): LevelMetrics {
  const n = ranks.length;
  const within = (k: number): number => (n === 0 ? 0 : ranks.filter((rank) => rank !== null && rank <= k).length / n);
  const reciprocal = ranks.reduce<number>((sum, rank) => sum + (rank !== null && rank <= CUTOFF ? 1 / rank : 0), 0);
  return {
    questions: n,
    recallAt1: within(1),
    recallAt5: within(5),
    recallAt10: within(10),
    mrrAt10: n === 0 ? 0 : reciprocal / n,
  };
}
