import { describe, expect, it } from 'vitest';
import { backgroundFloor, isWeakEvidence } from '../../src/retrieval/evidence.js';
import { buildChunk } from '../support/fake-retriever.js';

describe('evidence floor', () => {
  it('when unrelated questions reach some similarity, then the floor is their upper quartile, never under the embedder floor', () => {
    const background = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    expect(backgroundFloor(background, 0.15)).toBe(0.6);
    expect(backgroundFloor(background.map((s) => s / 10), 0.15)).toBe(0.15);
    expect(backgroundFloor([], 0.2)).toBe(0.2);
  });

  it('when the best hit is under the floor, then the search is weak; a record found by its words never is', () => {
    const doc = buildChunk({ content: 'Reschedule an appointment.', similarity: 0.3 });
    expect(isWeakEvidence([], 0.1)).toBe(true);
    expect(isWeakEvidence([doc], 0.4)).toBe(true);
    expect(isWeakEvidence([doc], 0.25)).toBe(false);
    const record = buildChunk({ content: 'Penicillin: hives.', patientId: 'p', similarity: 0.05 });
    expect(isWeakEvidence([doc, record], 0.4)).toBe(true);
    expect(isWeakEvidence([doc, { ...record, lexicalRank: 1 }], 0.4)).toBe(false);
  });
});
