import { describe, expect, it } from 'vitest';
import { backgroundFloor, isWeakEvidence } from '../../src/retrieval/evidence.js';
import { buildChunk } from '../support/fake-retriever.js';

describe('evidence floor', () => {
  it('when unrelated questions reach some evidence, then the floor is 2 MADs over their median, never under the embedder floor', () => {
    // Median 0.35, absolute deviations 0.25 0.15 0.05 0.05 0.15 0.25 -> MAD 0.15.
    const background = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    expect(backgroundFloor(background, 0.15)).toBeCloseTo(0.65);
    // One unrelated question close to the corpus does not move it.
    expect(backgroundFloor([...background.slice(0, 5), 0.99], 0.15)).toBeCloseTo(0.65);
    expect(backgroundFloor(background.map((s) => s / 10), 0.15)).toBe(0.15);
    expect(backgroundFloor([], 0.2)).toBe(0.2);
  });

  it('when the evidence is under the floor, then the search is weak; a record found by its words never is', () => {
    const doc = buildChunk({ content: 'Reschedule an appointment.', similarity: 0.3 });
    expect(isWeakEvidence([], 0.9, 0.1)).toBe(true);
    expect(isWeakEvidence([doc], 0.3, 0.4)).toBe(true);
    expect(isWeakEvidence([doc], 0.3, 0.25)).toBe(false);
    expect(isWeakEvidence([doc], null, 0.4)).toBe(false);
    const record = buildChunk({ content: 'Penicillin: hives.', patientId: 'p', similarity: 0.05 });
    expect(isWeakEvidence([doc, record], 0.3, 0.4)).toBe(true);
    expect(isWeakEvidence([doc, { ...record, lexicalRank: 1 }], 0.3, 0.4)).toBe(false);
  });
});
