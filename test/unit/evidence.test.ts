import { describe, expect, it } from 'vitest';
import { evidenceFloor, judgeEvidence, spreadOf, type Background } from '../../src/retrieval/evidence.js';
import { buildChunk } from '../support/fake-retriever.js';

describe('evidence floor', () => {
  // Evidence: median 0.35, absolute deviations 0.25 0.15 0.05 0.05 0.15 0.25 -> MAD 0.15.
  // Best BM25 scores: median 10, MAD 2.
  const background: Background = {
    evidence: spreadOf([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
    bestLexicalScore: spreadOf([6, 8, 10, 10, 12, 14]),
  };

  it('when unrelated questions reach some evidence, then the floor is 2.5 MADs over their median, never under the embedder floor', () => {
    expect(background.evidence.median).toBeCloseTo(0.35);
    expect(background.evidence.deviation).toBeCloseTo(0.15);
    expect(evidenceFloor(background, null, 0.15)).toBeCloseTo(0.725);
    // One unrelated question close to the corpus does not move it.
    const withOutlier = { ...background, evidence: spreadOf([0.1, 0.2, 0.3, 0.4, 0.5, 0.99]) };
    expect(evidenceFloor(withOutlier, null, 0.15)).toBeCloseTo(0.725);
    expect(evidenceFloor(background, null, 0.8)).toBe(0.8);
    expect(evidenceFloor({ evidence: spreadOf([]), bestLexicalScore: spreadOf([]) }, 30, 0.2)).toBe(0.2);
  });

  it('when the words match better than unrelated questions do, then the floor is lower; a weak word match never raises it', () => {
    // 4 MADs ahead on words: a quarter of that, 1 MAD, comes off the margin.
    expect(evidenceFloor(background, 18, 0.15)).toBeCloseTo(0.35 + 0.15 * 1.5);
    expect(evidenceFloor(background, 2, 0.15)).toBeCloseTo(0.725);
    expect(evidenceFloor(background, 10, 0.15)).toBeCloseTo(0.725);
    // However strong the word match, the vectors must reach the unrelated questions' median, and the embedder floor.
    expect(evidenceFloor(background, 1_000, 0.15)).toBeCloseTo(0.35);
    expect(evidenceFloor(background, 1_000, 0.4)).toBe(0.4);
    // Unrelated questions that all score alike on words tell nothing: the word match is not used.
    expect(evidenceFloor({ ...background, bestLexicalScore: spreadOf([0, 0, 0]) }, 18, 0.15)).toBeCloseTo(0.725);
  });

  it('when the evidence is under the floor, then the search is weak; a record found by its words or a named title never is', () => {
    const doc = buildChunk({ content: 'Reschedule an appointment.', similarity: 0.3 });
    const at = (evidence: number | null, namesATitle = false) => ({ evidence, namesATitle });
    const weak = (...args: Parameters<typeof judgeEvidence>) => judgeEvidence(...args).weak;
    expect(judgeEvidence([], at(0.9), 0.1)).toEqual({ weak: true, reason: 'no_hits', evidence: 0.9 });
    expect(judgeEvidence([], at(0.9, true), 0.1).reason).toBe('no_hits');
    expect(weak([doc], at(0.3), 0.4)).toBe(true);
    expect(weak([doc], at(0.3), 0.25)).toBe(false);
    expect(judgeEvidence([doc], at(null), 0.4)).toEqual({ weak: false, reason: 'not_measured', evidence: null });
    expect(judgeEvidence([doc], at(0.1, true), 0.4)).toEqual({ weak: false, reason: 'names_a_title', evidence: 0.1 });
    const record = buildChunk({ content: 'Penicillin: hives.', patientId: 'p', similarity: 0.05 });
    expect(weak([doc, record], at(0.3), 0.4)).toBe(true);
    expect(judgeEvidence([doc, { ...record, lexicalRank: 1 }], at(0.3), 0.4).reason).toBe('record_found_by_words');
  });
});
