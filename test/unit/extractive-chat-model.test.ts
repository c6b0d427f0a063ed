import { describe, expect, it } from 'vitest';
import { buildAnswerPrompt } from '../../src/chat/prompt.js';
import { EXTRACTIVE_PREAMBLE, ExtractiveChatModel, NOT_IN_SOURCES } from '../../src/llm/chat/extractive-chat-model.js';
import { countTokens } from '../../src/llm/tokens.js';
import { chatCorpus } from '../fixtures/chat-corpus.fixture.js';

const model = new ExtractiveChatModel();
const request = (question: string) =>
  buildAnswerPrompt({ question, hits: chatCorpus(), summary: '', recentTurns: [], sourceTokens: 2_000 }).request;

describe('extractive answerer', () => {
  it('when sentences match the question, then it quotes 2-5 of them, each with its [n], and says it is extractive', async () => {
    const { text, usage } = await model.generate(request('What is the starting dose of warfarin?'));

    expect(text.startsWith(EXTRACTIVE_PREAMBLE)).toBe(true);
    const sentences = text.split('\n').filter((line) => line.startsWith('- '));
    expect(sentences.length).toBeGreaterThanOrEqual(2);
    expect(sentences.length).toBeLessThanOrEqual(5);
    for (const sentence of sentences) expect(sentence).toMatch(/\[\d\]$/);
    expect(sentences[0]).toBe('- The usual starting dose of warfarin is 5 mg once daily, adjusted to the INR. [1]');
    expect(text).not.toMatch(/Ignore all previous/);
    expect(usage.completionTokens).toBe(countTokens(text));
  });

  it('when no sentence shares a content word with the question, then it says the sources do not contain the answer', async () => {
    expect((await model.generate(request('Zebra migration patterns?'))).text).toBe(NOT_IN_SOURCES);
  });

  it('when streamed, then it yields the same text sentence by sentence and ends with usage', async () => {
    const parts = [];
    for await (const part of model.stream(request('When to stop warfarin before surgery?'))) parts.push(part);
    const tokens = parts.filter((part) => part.type === 'token');
    expect(tokens.length).toBeGreaterThan(2);
    expect(parts.at(-1)?.type).toBe('usage');
    const streamed = tokens.map((part) => (part.type === 'token' ? part.text : '')).join('');
    expect(streamed).toBe((await model.generate(request('When to stop warfarin before surgery?'))).text);
  });

  it('when the stream is aborted, then it stops', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(async () => {
      for await (const part of model.stream(request('warfarin dose'), { signal: controller.signal })) {
        if (part.type === 'token') seen.push(part.text);
        controller.abort();
      }
    }).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });

  it('when a follow-up leans on the previous turn, then the previous standalone question is appended', async () => {
    const turns = [{ question: 'What is the dose of warfarin?', standaloneQuestion: 'What is the dose of warfarin?', answer: '5 mg [1]' }];
    const condense = (question: string) => model.condense({ question, turns, summary: '' }).then((result) => result.text);

    expect(await condense('And for children?')).toBe('And for children? (follow-up to: What is the dose of warfarin?)');
    expect(await condense('Is it safe in pregnancy?')).toBe('Is it safe in pregnancy? (follow-up to: What is the dose of warfarin?)');
    expect(await condense('How do I book an appointment for a new patient?')).toBe('How do I book an appointment for a new patient?');
    expect(await model.condense({ question: 'And for children?', turns: [], summary: '' }).then((r) => r.text)).toBe('And for children?');
  });

  it('when summarising, then it keeps questions and first answer sentences within the token budget', async () => {
    const turns = Array.from({ length: 30 }, (_, i) => ({
      question: `Question ${i} about warfarin?`,
      standaloneQuestion: `Question ${i} about warfarin?`,
      answer: `${EXTRACTIVE_PREAMBLE}\n\n- Answer ${i} first sentence [1]. Second sentence.`,
    }));
    const { text } = await model.summarise({ summary: 'Q: earlier A: earlier answer.', turns, maxTokens: 60 });

    expect(countTokens(text)).toBeLessThanOrEqual(60);
    expect(text).toContain('Q: Question 29 about warfarin? A: Answer 29 first sentence.');
    expect(text).not.toContain('earlier');
    expect(text).not.toContain('Second sentence');
  });
});
