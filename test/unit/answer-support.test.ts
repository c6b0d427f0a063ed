import { describe, expect, it } from 'vitest';
import { answerSupport, citedStatements, shareOf, summariseAnswers } from '../../src/retrieval/answer-support.js';
import { isRefused } from '../../src/retrieval/refusal.js';
import { EXTRACTIVE_PREAMBLE, NOT_IN_SOURCES } from '../../src/llm/chat/extractive-chat-model.js';
import { buildChunk } from '../support/fake-retriever.js';

const extractiveAnswer = [
  `${EXTRACTIVE_PREAMBLE}`,
  '',
  '- Acne is treated with creams. [1]',
  '- Isotretinoin is kept for acne that scars. [3]',
  '- Radiation therapy treats severe cases. [2]',
].join('\n');
/** Sources 1 and 3 come from the acne document, 2 from the skin cancer one. */
const docOf = (n: number) => ({ 1: 'skin/acne', 2: 'skin/skin-cancer', 3: 'skin/acne' })[n];

describe('answer support', () => {
  it('when an answer quotes sentences, then each cited line is one statement with its source numbers', () => {
    expect(citedStatements(extractiveAnswer)).toEqual([
      { text: '- Acne is treated with creams. [1]', cited: [1] },
      { text: '- Isotretinoin is kept for acne that scars. [3]', cited: [3] },
      { text: '- Radiation therapy treats severe cases. [2]', cited: [2] },
    ]);
  });

  it('when a model writes prose, then it is cut into statements at its citations', () => {
    expect(citedStatements('Acne is common [1]. It is treated with creams [1, 3]. Scars may remain.\nSee also [2][3]')).toEqual([
      { text: 'Acne is common [1].', cited: [1] },
      { text: 'It is treated with creams [1, 3].', cited: [1, 3] },
      { text: 'See also [2][3]', cited: [2, 3] },
    ]);
  });

  it('when a statement cites a source of a relevant document, then it is supported', () => {
    expect(answerSupport(extractiveAnswer, docOf, [{ doc: 'skin/acne', section: 'Treatment' }])).toEqual({ quoted: 3, supported: 2 });
    expect(answerSupport(extractiveAnswer, docOf, [{ doc: 'skin/burns' }])).toEqual({ quoted: 3, supported: 0 });
    expect(answerSupport('Both [2, 3].', docOf, [{ doc: 'skin/acne' }])).toEqual({ quoted: 1, supported: 1 });
  });

  it('when an answer says the sources do not contain it, then it quotes nothing', () => {
    expect(answerSupport(NOT_IN_SOURCES, docOf, [{ doc: 'skin/acne' }])).toEqual({ quoted: 0, supported: 0 });
  });

  it('when answers are summarised, then support is over all quoted statements and "answered" over answers', () => {
    expect(summariseAnswers([{ quoted: 3, supported: 2 }, { quoted: 1, supported: 1 }, { quoted: 0, supported: 0 }])).toEqual({
      answers: 3,
      answered: 2 / 3,
      quotedSentences: 4,
      support: 3 / 4,
    });
    expect(summariseAnswers([])).toEqual({ answers: 0, answered: 0, quotedSentences: 0, support: 0 });
  });

  it('when shares of questions are counted, then an empty list is 0', () => {
    expect(shareOf([true, false, true, true])).toBe(3 / 4);
    expect(shareOf([])).toBe(0);
  });
});

describe('refusal', () => {
  it('when the search returns no hit, then the question is refused; with any hit, it is answered', () => {
    expect(isRefused([])).toBe(true);
    expect(isRefused([buildChunk({ content: 'Acne is common.' })])).toBe(false);
  });
});
