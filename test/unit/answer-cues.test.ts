import { describe, expect, it } from 'vitest';
import { askedKinds, isKindWord, questionCues, saysKind } from '../../src/llm/chat/answer-cues.js';

describe('answer cues', () => {
  it.each([
    ['How is asthma treated?', ['treatment']],
    ['What are the signs of a stroke?', ['symptoms']],
    ['Why do people get gallstones?', ['causes']],
    ['How do doctors diagnose lupus?', ['diagnosis']],
    ['How can I lower my risk of stroke?', ['prevention', 'risk']],
    ['What is the outlook for people with ALS?', ['outlook']],
    ['Is hemophilia inherited?', ['inheritance']],
    ['Who is at risk for osteoporosis?', ['risk']],
    ['What is psoriasis?', ['definition']],
    ['What is the starting dose of warfarin?', []],
  ])('when asked "%s", then the kinds asked are %j', (question, kinds) => {
    expect([...askedKinds(question)].sort()).toEqual(kinds);
  });

  it('when a word only says what kind of answer is wanted, then it is a kind word', () => {
    expect(['treatment', 'symptoms', 'causes', 'diagnosed', 'inherited'].every(isKindWord)).toBe(true);
    expect(['acne', 'cholesterol', 'severe'].some(isKindWord)).toBe(false);
  });

  it('when a sentence mentions a symptom while saying how it is treated, then it answers treatment, not symptoms', () => {
    const sentence = 'shingles is treated with antiviral medicines started within three days of the rash';
    expect(saysKind(sentence, new Set(['treatment']))).toBe(true);
    expect(saysKind(sentence, new Set(['symptoms']))).toBe(false);
    expect(saysKind('statins lower ldl in the blood', new Set(['treatment']))).toBe(true);
  });

  it('when a question excludes something, then the words after "without", "instead of", "other than" are negated', () => {
    expect([...questionCues('How can I lower my cholesterol without medication?').negated]).toEqual(['medication']);
    expect([...questionCues('What helps back pain other than painkillers?').negated]).toEqual(['painkillers']);
    expect([...questionCues('How to lower blood pressure instead of blood pressure pills?').negated]).toEqual(['pills']);
  });

  it('when "not" or "no" describes a state, then nothing is negated; when it refuses a treatment, then the treatment is', () => {
    expect(questionCues('Why does my child not eat?').negated.size).toBe(0);
    expect(questionCues("What if the rash doesn't go away?").negated.size).toBe(0);
    expect([...questionCues("How is gout treated if I don't want to take drugs?").negated]).toEqual(['drugs']);
    expect([...questionCues('Can a hernia heal with no surgery?').negated]).toEqual(['surgery']);
  });

  it('when "avoid" is what the question asks, then it asks for prevention; beside another request, it excludes', () => {
    const flu = questionCues('How can I avoid the flu?');
    expect([...flu.kinds]).toEqual(['prevention']);
    expect(flu.negated.size).toBe(0);

    const acne = questionCues('How do I treat acne and avoid antibiotics?');
    expect([...acne.kinds]).toEqual(['treatment']);
    expect([...acne.negated]).toEqual(['antibiotics']);
  });
});
