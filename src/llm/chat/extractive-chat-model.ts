import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { analyseWords, normaliseText } from '../embeddings/offline-embedder.js';
import { countTokens, truncateToTokens } from '../tokens.js';
import {
  NO_USAGE,
  type AnswerRequest,
  type ChatCallOptions,
  type ChatModel,
  type ChatResult,
  type ChatStreamPart,
  type CondenseInput,
  type NumberedSource,
  type SummariseInput,
  type TurnText,
} from './chat-model.js';

/** Reported as the model name; bump when the composition changes (it is part of cache keys). */
export const EXTRACTIVE_MODEL = 'extractive-v1';

export const EXTRACTIVE_PREAMBLE =
  'Extractive answer (no language model was used): the sentences below are quoted from the sources that best match the question.';

export const NOT_IN_SOURCES = 'The provided sources do not contain the answer to this question.';

const MAX_SENTENCES = 5;
const MIN_SENTENCES = 2;
/** A sentence scoring under this share of the best one adds noise, not evidence (beyond the minimum). */
const RELATIVE_FLOOR = 0.5;
/** Headings, table fragments and list stubs are not answers. */
const MIN_SENTENCE_WORDS = 4;

/** Pronouns, ellipsis and connectives that make a message lean on the previous one. */
const REFERS_BACK = /\b(it|its|they|them|their|this|that|these|those|he|she|him|her|his|same|such|also|there)\b|\.\.\.|…/i;
const CONTINUES = /^\s*(and|or|but|so|also|what about|how about|then)\b/i;
const QUESTION_OPENER = /^\s*(what|who|how|why|when|where|which|is|are|can|could|does|do|should|will|would)\b/i;
const FOLLOW_UP_SUFFIX = /\s*\(follow-up to: .*\)$/;
const CITATION_MARKS = /\s*\[\d+(?:\s*,\s*\d+)*\]/g;

interface Candidate {
  n: number;
  position: number;
  text: string;
  words: Set<string>;
  score: number;
}

/**
 * The offline answerer for machines without an API key: it composes the answer from the
 * sentences of the provided sources that share the most (rarest) content words with the
 * question, each followed by its [n] citation, and says plainly that it is extractive.
 * Condensing and summarising are deterministic heuristics.
 */
export class ExtractiveChatModel implements ChatModel {
  readonly offline = true;
  readonly model = EXTRACTIVE_MODEL;

  generate(request: AnswerRequest, options: ChatCallOptions = {}): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    const text = composeAnswer(request.question, request.sources).join('');
    return Promise.resolve({ text, usage: usageOf(request, text) });
  }

  async *stream(request: AnswerRequest, options: ChatCallOptions = {}): AsyncIterable<ChatStreamPart> {
    let text = '';
    for (const piece of composeAnswer(request.question, request.sources)) {
      options.signal?.throwIfAborted();
      text += piece;
      yield { type: 'token', text: piece };
      // One sentence per turn of the event loop, so a disconnect is seen between sentences.
      await yieldToLoop();
    }
    options.signal?.throwIfAborted();
    yield { type: 'usage', usage: usageOf(request, text) };
  }

  condense(input: CondenseInput, options: ChatCallOptions = {}): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    return Promise.resolve({ text: condenseFollowUp(input), usage: NO_USAGE });
  }

  summarise(input: SummariseInput, options: ChatCallOptions = {}): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    return Promise.resolve({ text: summariseExtractively(input), usage: NO_USAGE });
  }
}

/** The answer as pieces (preamble, then one sentence with its citation per piece). */
function composeAnswer(question: string, sources: NumberedSource[]): string[] {
  const chosen = bestSentences(question, sources);
  if (chosen.length === 0) return [NOT_IN_SOURCES];
  return [`${EXTRACTIVE_PREAMBLE}\n`, ...chosen.map((sentence) => `\n- ${sentence.text} [${sentence.n}]`)];
}

function bestSentences(question: string, sources: NumberedSource[]): Candidate[] {
  const wanted = new Set(analyseWords(question));
  if (wanted.size === 0) return [];
  const candidates = sources.flatMap((source) =>
    splitSentences(source.content).map((text, position) => ({
      n: source.n,
      position,
      text,
      words: new Set(analyseWords(text)),
      score: 0,
    })),
  );
  // Rarer question words are better evidence: inverse document frequency over the candidates.
  const idf = new Map<string, number>();
  for (const word of wanted) {
    const frequency = candidates.filter((candidate) => candidate.words.has(word)).length;
    if (frequency > 0) idf.set(word, Math.log(1 + candidates.length / frequency));
  }
  for (const candidate of candidates) {
    for (const word of wanted) if (candidate.words.has(word)) candidate.score += idf.get(word) ?? 0;
    // Retrieval order breaks ties: the first source was ranked best.
    candidate.score *= 1 + 0.05 / candidate.n;
  }
  const matching = candidates.filter((candidate) => candidate.score > 0).sort((a, b) => b.score - a.score);
  const best = matching[0]?.score ?? 0;
  const seen = new Set<string>();
  const chosen: Candidate[] = [];
  for (const candidate of matching) {
    if (chosen.length >= MAX_SENTENCES) break;
    if (chosen.length >= MIN_SENTENCES && candidate.score < best * RELATIVE_FLOOR) break;
    const identity = normaliseText(candidate.text);
    if (seen.has(identity)) continue;
    seen.add(identity);
    chosen.push(candidate);
  }
  return chosen;
}

/** Sentences of a Markdown chunk: headings dropped, list markers and emphasis removed. */
function splitSentences(content: string): string[] {
  return content
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .map((line) =>
      line
        .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
        .replace(/[*_`|]+/g, ' ')
        .replace(CITATION_MARKS, ''),
    )
    .flatMap((line) => line.split(/(?<=[.!?])\s+(?=[A-Z0-9("'])/))
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter((sentence) => sentence.split(' ').length >= MIN_SENTENCE_WORDS);
}

/**
 * A follow-up (pronouns, ellipsis, a leading "and"/"what about", or too few content words
 * to stand alone) gets the previous standalone question appended, so retrieval sees the topic.
 */
function condenseFollowUp(input: CondenseInput): string {
  const question = input.question.trim();
  const previous = input.turns.at(-1)?.standaloneQuestion.replace(FOLLOW_UP_SUFFIX, '').trim();
  if (!previous) return question;
  const contentWords = analyseWords(question).length;
  const followUp =
    REFERS_BACK.test(question) || CONTINUES.test(question) || (contentWords <= 2 && !QUESTION_OPENER.test(question));
  return followUp ? `${question} (follow-up to: ${previous})` : question;
}

/** Previous summary lines plus "Q: ... A: <first sentence>" per turn, oldest lines dropped to fit. */
function summariseExtractively(input: SummariseInput): string {
  const lines = [...input.summary.split('\n').filter(Boolean), ...input.turns.map(summaryLine)];
  while (lines.length > 1 && countTokens(lines.join('\n')) > input.maxTokens) lines.shift();
  return truncateToTokens(lines.join('\n'), input.maxTokens);
}

function summaryLine(turn: TurnText): string {
  const answer = turn.answer.replace(EXTRACTIVE_PREAMBLE, '').replace(CITATION_MARKS, '').replace(/^\s*-\s*/, '').trim();
  const first = answer.split(/(?<=[.!?])\s/)[0]?.replace(/\s+/g, ' ').trim() ?? '';
  return `Q: ${turn.question.replace(/\s+/g, ' ').trim()} A: ${first}`;
}

/** Nothing is billed offline; the counts say how large the prompt and answer are. */
function usageOf(request: AnswerRequest, text: string): ChatResult['usage'] {
  const promptTokens = request.messages.reduce((sum, message) => sum + countTokens(message.content), 0);
  const completionTokens = countTokens(text);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
