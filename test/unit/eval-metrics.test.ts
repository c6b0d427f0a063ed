import { describe, expect, it } from 'vitest';
import { evaluateRetrieval, stripSectionCounter, type EvalQuestion } from '../../src/retrieval/eval-metrics.js';

// Hand-made: q1 hits doc and section at rank 1; q2 hits the doc at rank 2 and the
// section at rank 3 (as "Symptoms (2)"); q3 misses entirely; q4 has no section.
const questions: EvalQuestion[] = [
  { id: 'q1', ranked: [{ doc: 'A', section: 'Treatment' }, { doc: 'B', section: 'Overview' }], relevant: [{ doc: 'A', section: 'Treatment' }] },
  {
    id: 'q2',
    ranked: [
      { doc: 'C', section: 'Symptoms' },
      { doc: 'B', section: 'Overview' },
      { doc: 'B', section: 'Symptoms (2)' },
    ],
    relevant: [{ doc: 'B', section: 'Symptoms' }],
  },
  { id: 'q3', ranked: [{ doc: 'X', section: 'Overview' }], relevant: [{ doc: 'D', section: 'Causes' }] },
  {
    id: 'q4',
    ranked: [1, 2, 3, 4, 5, 6].map((i) => ({ doc: `N${i}` })),
    relevant: [{ doc: 'N6' }],
  },
];

describe('evaluateRetrieval', () => {
  const report = evaluateRetrieval(questions);

  it('when ranks are known, then document recall@k and MRR@10 match a hand count', () => {
    expect(report.document.questions).toBe(4);
    expect(report.document.recallAt1).toBeCloseTo(1 / 4);
    expect(report.document.recallAt5).toBeCloseTo(2 / 4);
    expect(report.document.recallAt10).toBeCloseTo(3 / 4);
    expect(report.document.mrrAt10).toBeCloseTo((1 + 1 / 2 + 0 + 1 / 6) / 4);
  });

  it('when sections carry a repeat counter, then they still match, and only questions naming a section count', () => {
    expect(report.section.questions).toBe(3);
    expect(report.section.recallAt1).toBeCloseTo(1 / 3);
    expect(report.section.recallAt5).toBeCloseTo(2 / 3);
    expect(report.section.mrrAt10).toBeCloseTo((1 + 1 / 3 + 0) / 3);
  });

  it('when a question has nothing relevant in the top 5, then it is listed as missed with its ranks', () => {
    expect(report.missed).toEqual([
      { id: 'q3', documentRank: null, sectionRank: null },
      { id: 'q4', documentRank: 6, sectionRank: null },
    ]);
  });

  it('when sections are compared strictly, then the counter matters', () => {
    const strict = evaluateRetrieval(questions, { normaliseSection: (section) => section });
    expect(strict.section.recallAt5).toBeCloseTo(1 / 3);
  });

  it('when hits go beyond 10, then ranks past 10 do not count', () => {
    const deep = evaluateRetrieval([
      { id: 'd', ranked: Array.from({ length: 12 }, (_, i) => ({ doc: i === 11 ? 'G' : 'Z' })), relevant: [{ doc: 'G' }] },
    ]);
    expect(deep.document.recallAt10).toBe(0);
    expect(deep.document.mrrAt10).toBe(0);
  });

  it('when there are no questions, then every figure is 0', () => {
    expect(evaluateRetrieval([]).document).toEqual({ questions: 0, recallAt1: 0, recallAt5: 0, recallAt10: 0, mrrAt10: 0 });
  });

  it('strips only a trailing counter', () => {
    expect(stripSectionCounter('Symptoms (2)')).toBe('Symptoms');
    expect(stripSectionCounter('Type 2 (adult onset)')).toBe('Type 2 (adult onset)');
  });
});
