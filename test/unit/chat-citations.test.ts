import { describe, expect, it } from 'vitest';
import { checkCitations, CitationFilter } from '../../src/chat/citations.js';
import { buildChunk } from '../support/fake-retriever.js';

const used = [
  buildChunk({ title: 'Warfarin', headingPath: ['Warfarin', 'Dosing'], sourceId: 'medications/warfarin', url: 'https://x.test/w', content: 'Warfarin 5 mg once daily. '.repeat(20) }),
  buildChunk({ title: 'Booking', headingPath: ['Booking'], sourceId: 'appointments/booking', content: 'Open the chart.' }),
];

describe('citation check', () => {
  it('when the answer cites an unknown source, then the marker is removed and reported, never listed', () => {
    const checked = checkCitations('Give 5 mg daily [1][7]. Book in the chart [2, 9]. Nothing else [12].', used);

    expect(checked.text).toBe('Give 5 mg daily [1]. Book in the chart [2]. Nothing else.');
    expect(checked.removedCitations).toEqual([7, 9, 12]);
    expect(checked.citations.map((citation) => citation.n)).toEqual([1, 2]);
  });

  it('when sources are cited, then each citation carries chunk, doc, title, last heading, url and a ~200 char snippet', () => {
    const [citation] = checkCitations('Dose [1].', used).citations;

    expect(citation).toMatchObject({ n: 1, chunkId: used[0]!.chunkId, doc: 'medications/warfarin', title: 'Warfarin', heading: 'Dosing', url: 'https://x.test/w' });
    expect(citation!.snippet.length).toBeLessThanOrEqual(201);
    expect(citation!.snippet.endsWith('…')).toBe(true);
    expect(checkCitations('Open it [2].', used).citations[0]).not.toHaveProperty('url');
  });

  it('when an uncited source was provided, then it is not in the citation list', () => {
    expect(checkCitations('Only the second [2].', used).citations.map((citation) => citation.doc)).toEqual(['appointments/booking']);
  });

  it('when markers arrive split across streamed tokens, then the shown text is the same as for the whole answer', () => {
    const tokens = ['Dose', ' is 5 mg', ' [', '1', '].', ' Stop', ' it [', '2', '][', '7', ']', '.', ' See [', 'x] too.'];
    const filter = new CitationFilter(2);
    const shown = tokens.map((token) => filter.push(token)).join('') + filter.flush();

    expect(shown).toBe('Dose is 5 mg [1]. Stop it [2]. See [x] too.');
    expect(shown).toBe(checkCitations(tokens.join(''), used).text);
    expect(filter.removedNumbers()).toEqual([7]);
    expect(filter.citedNumbers()).toEqual([1, 2]);
  });

  it('when no marker is pending, then streamed text is passed on at once', () => {
    const filter = new CitationFilter(2);
    expect(filter.push('Plain text')).toBe('Plain text');
    expect(filter.push(' and more ')).toBe(' and more');
    expect(filter.flush()).toBe(' ');
  });
});
