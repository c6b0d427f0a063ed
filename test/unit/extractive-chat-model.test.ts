import { describe, expect, it } from 'vitest';
import { buildAnswerPrompt } from '../../src/chat/prompt.js';
import { EXTRACTIVE_MODEL, EXTRACTIVE_PREAMBLE, ExtractiveChatModel, NOT_IN_SOURCES } from '../../src/llm/chat/extractive-chat-model.js';
import { countTokens } from '../../src/llm/tokens.js';
import { chatCorpus } from '../fixtures/chat-corpus.fixture.js';
import { acne, asthmaTreatment, burns, cholesterol, headaches, hemorrhoids, migraine, passingMentions, raynaud, shingles, skinCancer } from '../fixtures/health-topics.fixture.js';
import { buildChunk, type FakeChunk } from '../support/fake-retriever.js';

const model = new ExtractiveChatModel();
const request = (question: string, hits: FakeChunk[] = chatCorpus()) =>
  buildAnswerPrompt({ question, hits, summary: '', recentTurns: [], sourceTokens: 2_000 }).request;

/** The quoted lines of the answer to `question` over `hits` ("- sentence [n]"). */
async function quotes(question: string, hits: FakeChunk[]): Promise<string[]> {
  const { text } = await model.generate(request(question, hits));
  return text.split('\n').filter((line) => line.startsWith('- '));
}

const DOSE_QUESTION = 'What is the starting dose of warfarin?';

describe('extractive answerer', () => {
  it('is reported as the third composition (part of answer-cache keys)', () => {
    expect(model.model).toBe(EXTRACTIVE_MODEL);
    expect(EXTRACTIVE_MODEL).toBe('extractive-v3');
  });

  it('when sentences match the question, then it quotes 2-4 of them, each with its [n], and says it is extractive', async () => {
    const { text, usage } = await model.generate(request(DOSE_QUESTION));

    expect(text.startsWith(EXTRACTIVE_PREAMBLE)).toBe(true);
    const sentences = text.split('\n').filter((line) => line.startsWith('- '));
    expect(sentences.length).toBeGreaterThanOrEqual(2);
    expect(sentences.length).toBeLessThanOrEqual(4);
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
    for await (const part of model.stream(request(DOSE_QUESTION))) parts.push(part);
    const tokens = parts.filter((part) => part.type === 'token');
    expect(tokens.length).toBeGreaterThan(2);
    expect(parts.at(-1)?.type).toBe('usage');
    const streamed = tokens.map((part) => (part.type === 'token' ? part.text : '')).join('');
    expect(streamed).toBe((await model.generate(request(DOSE_QUESTION))).text);
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

describe('extractive answerer: which sentences it quotes', () => {
  it('when a source contains a question that matches best, then the question is never quoted', async () => {
    const quoted = await quotes('What is the best way to treat shingles quickly with antiviral medicines?', [shingles]);

    expect(quoted.length).toBeGreaterThan(0);
    for (const line of quoted) expect(line).not.toContain('?');
    expect(quoted[0]).toContain('Shingles is treated with antiviral medicines');
  });

  it('when a treatment question meets symptom and treatment sentences, then it quotes the treatment ones', async () => {
    const quoted = await quotes('How is shingles treated?', [shingles]);

    expect(quoted[0]).toContain('antiviral medicines such as aciclovir');
    expect(quoted.join('\n')).not.toMatch(/painful rash with blisters|band around the chest/);
  });

  it('when a symptoms question meets the same source, then it quotes the symptom sentences first', async () => {
    const quoted = await quotes('What are the symptoms of shingles?', [shingles]);

    expect(quoted[0]).toContain('Shingles causes a painful rash with blisters');
    expect(quoted.join('\n')).not.toContain('aciclovir');
  });

  it('when another document shares only a generic word ("severe acne" and radiation therapy for severe cases), then it quotes the acne document only', async () => {
    // Retrieved as: acne overview [1], skin cancer [2], acne treatment [3], burns [4].
    const quoted = await quotes('How is severe acne treated?', [acne.overview, skinCancer, acne.treatment, burns]);

    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.join('\n')).not.toMatch(/Radiation|burns/);
    for (const line of quoted) expect(line).toMatch(/\[[13]\]$/);
    expect(quoted[0]).toMatch(/treat/i);
  });

  it('when the question excludes something ("without medication"), then sentences about it are not pulled to the top', async () => {
    const hits = [cholesterol.treatment, cholesterol.overview];
    const excluding = await quotes('How can I lower my cholesterol without medication?', hits);
    const plain = await quotes('How can I lower my cholesterol?', hits);

    expect(excluding[0]).toMatch(/saturated fat|physical activity/);
    expect(excluding.join('\n')).not.toContain('Statins');
    expect(plain.join('\n')).toContain('Statins');
    expect((await quotes('What lowers cholesterol instead of statins?', hits)).join('\n')).not.toContain('Statins');
  });

  it('when a question describes a condition spread over several sentences of a passage, then those sentences are quoted', async () => {
    const question = "When I'm cold my fingers go white, then blue, then throb bright red as they warm up. Why?";
    const quoted = await quotes(question, [raynaud]);

    expect(quoted).toEqual(['- Small blood vessels of the fingers and toes narrow in the cold or under stress. [1]', '- The affected skin turns white, then blue. [1]']);
  });

  it('when no document holds a quarter of the question\'s topic, then it says the sources do not contain the answer', async () => {
    const question = 'Why do my knees click, my eyelids twitch and my ears ring after a cup of coffee?';
    expect((await model.generate(request(question, passingMentions))).text).toBe(NOT_IN_SOURCES);
    expect(await quotes('Can loud music leave my ears ringing?', passingMentions)).toEqual(['- Loud music can leave the ears ringing for a day or more. [3]']);
  });

  it('when a question word is misspelled, then it is read as the sources spell it', async () => {
    // "hemroids" is three edits from "hemorrhoids", "haemorroids" two; both have its Soundex code.
    for (const question of ['how do u get rid of hemroids at home?', 'what relieves itchy haemorroids?']) {
      const quoted = await quotes(question, [hemorrhoids]);
      expect(quoted.length).toBeGreaterThan(0);
      expect(quoted.join('\n')).toContain('hemorrhoids');
    }
    // Same Soundex code, but three edits in eight letters: another word.
    const pancoast = buildChunk({
      sourceId: 'lung/pancoast',
      title: 'Lung cancer',
      headingPath: ['Lung cancer', 'Pancoast tumour'],
      content: 'A Pancoast tumour grows at the top of the lung. It presses on nearby nerves and causes shoulder pain. Surgery and radiation are the usual treatments.',
    });
    expect((await model.generate(request('What can I use instead of buttermilk in pancakes?', [pancoast]))).text).toBe(NOT_IN_SOURCES);
  });

  it('when several documents match, then the best-supported document is quoted first, and one that only mentions the topic is left out', async () => {
    // "Headaches" [1] is retrieved first and mentions migraine triggers; "Migraine" [2][3] is about them.
    const quoted = await quotes('What triggers a migraine?', [headaches, migraine.triggers, migraine.symptoms]);

    expect(quoted[0]).toBe('- Migraine attacks are often triggered by bright light, strong smells, hormonal changes or missed meals. [2]');
    for (const line of quoted) expect(line).not.toMatch(/\[1\]$/);
  });

  it('when many sentences answer, then it quotes at most 4', async () => {
    const quoted = await quotes('How is asthma treated?', [asthmaTreatment]);

    expect(quoted).toHaveLength(4);
  });

  it('when the sources share only generic words with the question, then it says they do not contain the answer', async () => {
    const { text } = await model.generate(request('How is severe gout treated?', [acne.treatment, skinCancer, burns]));

    expect(text).toBe(NOT_IN_SOURCES);
  });

  it('when a source has headings, lead-ins, list stubs and a table, then it quotes sentences and table rows read with their headers only', async () => {
    const source = buildChunk({
      sourceId: 'infections/flu',
      title: 'Flu',
      headingPath: ['Flu', 'Symptoms'],
      content: [
        '## Flu symptoms in adults',
        'Flu symptoms include:',
        '- fever and chills,',
        '- Flu aches',
        'Flu usually starts suddenly with a high fever and aching muscles.',
        '',
        '| Symptom | Flu | Common cold |',
        '|---|---|---|',
        '| Fever | Common and high in flu | Rare |',
      ].join('\n'),
    });
    const quoted = await quotes('What are the symptoms of flu?', [source]);

    expect(quoted).toEqual([
      '- Flu usually starts suddenly with a high fever and aching muscles. [1]',
      '- Symptom: Fever; Flu: Common and high in flu; Common cold: Rare. [1]',
    ]);
  });
});

