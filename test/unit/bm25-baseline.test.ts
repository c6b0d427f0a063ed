import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/retrieval/bm25-baseline.js';

const docs = [
  'Gout is a form of arthritis caused by uric acid crystals in a joint.',
  'Asthma narrows the airways; inhaled corticosteroids are the usual treatment.',
  'Gout treatment: colchicine and anti-inflammatory drugs during an attack; gout gout gout.',
  'Reschedule an appointment by dragging it in the calendar.',
];

describe('Bm25Index', () => {
  const index = new Bm25Index(docs);

  it('when a query shares rare words with a document, then that document ranks first', () => {
    expect(index.search('colchicine for gout', 2)[0]?.index).toBe(2);
    expect(index.search('how do I reschedule an appointment?', 1)[0]?.index).toBe(3);
  });

  it('when a query shares no word, then nothing is returned', () => {
    expect(index.search('weather in Paris', 5)).toEqual([]);
  });

  it('when k is smaller than the matches, then exactly k hits come back, best first', () => {
    const hits = index.search('gout treatment', 2);
    expect(hits).toHaveLength(2);
    expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
  });

  it('when a term repeats, then its contribution saturates (k1) and long documents are normalised (b)', () => {
    const small = new Bm25Index(['gout', 'gout gout gout gout gout gout gout gout', 'gout other words that make this document much longer'], {
      analyse: (text) => text.split(' '),
    });
    const [a, b, c] = [0, 1, 2].map((i) => small.search('gout', 3).find((h) => h.index === i)!.score);
    expect(b! / a!).toBeLessThan(2.2); // tf 8 scores well under 8x tf 1: (k1 + 1) bounds it
    expect(c!).toBeLessThan(a!);
    // Hand computation for doc 0: idf = ln(1 + (3 - 3 + 0.5) / (3 + 0.5)), tf = 1, |d| = 1, avg = (1 + 8 + 9) / 3 = 6.
    const idf = Math.log(1 + 0.5 / 3.5);
    const expected = (idf * 1 * 2.2) / (1 + 1.2 * (1 - 0.75 + (0.75 * 1) / 6));
    expect(a!).toBeCloseTo(expected, 10);
  });
});
