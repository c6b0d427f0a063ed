import { describe, expect, it } from 'vitest';
import { extractGuardTerms } from '../../src/cache/guard-terms.js';

describe('guard terms', () => {
  it('when two questions differ by start and stop, then their guard terms differ', () => {
    expect(extractGuardTerms('When should I start warfarin?')).toEqual(['start', 'warfarin']);
    expect(extractGuardTerms('When should I stop warfarin?')).toEqual(['stop', 'warfarin']);
  });

  it('when doses differ (5 mg vs 50 mg), then guard terms differ; spacing and case do not matter', () => {
    expect(extractGuardTerms('Is 5 mg of amlodipine safe?')).toEqual(['5mg', 'amlodipine']);
    expect(extractGuardTerms('Is 50 mg of amlodipine safe?')).toEqual(['50mg', 'amlodipine']);
    expect(extractGuardTerms('is 5MG of Amlodipine safe')).toEqual(extractGuardTerms('Is 5 mg of amlodipine safe?'));
  });

  it('when a question negates, then the negation is a guard term, contractions included', () => {
    expect(extractGuardTerms("Why shouldn't ibuprofen be given?")).toEqual(['ibuprofen', 'not']);
    expect(extractGuardTerms('Is metformin contraindicated in renal failure?')).toEqual(['avoid', 'metformin']);
    expect(extractGuardTerms('Can I give it without food?')).toEqual(['not']);
  });

  it('when a word looks like a drug (class suffix) or states a frequency, then it is kept', () => {
    expect(extractGuardTerms('Dose of dapagliflozin twice daily, 0,5 ml per puff')).toEqual(['0.5ml', 'daily', 'dapagliflozin', 'twice']);
    expect(extractGuardTerms('How do I book an appointment?')).toEqual([]);
  });
});
