import { analyseWords } from '../llm/embeddings/offline-embedder.js';

export interface Bm25Options {
  k1?: number;
  b?: number;
  /** Text -> terms; defaults to the offline embedder's analyser (stop words, light stemming). */
  analyse?: (text: string) => string[];
}

export interface Bm25Hit {
  /** Index of the document in the array given to the constructor. */
  index: number;
  score: number;
}

/**
 * Plain in-memory Okapi BM25 (k1 = 1.2, b = 0.75, Lucene's non-negative idf): the
 * benchmark baseline the hybrid SQL search is compared with. One field, no weighting
 * of titles or headings, no query expansion.
 */
export class Bm25Index {
  private readonly k1: number;
  private readonly b: number;
  private readonly analyse: (text: string) => string[];
  /** term -> flat [docIndex, termFrequency, docIndex, termFrequency, ...] */
  private readonly postings = new Map<string, number[]>();
  private readonly lengths: Float64Array;
  private readonly averageLength: number;

  constructor(documents: readonly string[], options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    this.analyse = options.analyse ?? analyseWords;
    this.lengths = new Float64Array(documents.length);
    let total = 0;
    documents.forEach((document, index) => {
      const terms = this.analyse(document);
      this.lengths[index] = terms.length;
      total += terms.length;
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, count] of counts) {
        let list = this.postings.get(term);
        if (list === undefined) {
          list = [];
          this.postings.set(term, list);
        }
        list.push(index, count);
      }
    });
    this.averageLength = documents.length === 0 ? 0 : total / documents.length;
  }

  get size(): number {
    return this.lengths.length;
  }

  /** The `k` best documents for `query`, best first (ties: lower index first). */
  search(query: string, k: number): Bm25Hit[] {
    const n = this.lengths.length;
    const scores = new Map<number, number>();
    for (const term of new Set(this.analyse(query))) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const df = list.length / 2;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < list.length; i += 2) {
        const index = list[i] as number;
        const tf = list[i + 1] as number;
        const length = this.lengths[index] as number;
        const norm = tf + this.k1 * (1 - this.b + (this.b * length) / this.averageLength);
        scores.set(index, (scores.get(index) ?? 0) + (idf * tf * (this.k1 + 1)) / norm);
      }
    }
    return [...scores]
      .map(([index, score]) => ({ index, score }))
      .sort((x, y) => y.score - x.score || x.index - y.index)
      .slice(0, k);
  }
}
