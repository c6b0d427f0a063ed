import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { distance } from 'fastest-levenshtein';
import { soundex } from 'soundex-code';
import { analyseWords, normaliseText } from '../embeddings/offline-embedder.js';
import { countTokens, truncateToTokens } from '../tokens.js';
import { isKindWord, mentionsNegated, questionCues, saysKind, type QuestionCues } from './answer-cues.js';
import { NO_USAGE, type AnswerRequest, type ChatCallOptions, type ChatModel, type ChatResult, type ChatStreamPart, type CondenseInput, type NumberedSource, type SummariseInput, type TurnText } from './chat-model.js';

/** Reported as the model name; bump when the composition changes (it is part of cache keys). */
export const EXTRACTIVE_MODEL = 'extractive-v3';

export const EXTRACTIVE_PREAMBLE =
  'Extractive answer (no language model was used): the sentences below are quoted from the sources that best match the question.';

export const NOT_IN_SOURCES = 'The provided sources do not contain the answer to this question.';

/** A few sentences answer; more would bury the answer in its neighbours. */
const MAX_SENTENCES = 4;
/** When even the best sentence holds only part of the question's topic, quote less of it. */
const WEAK_MAX_SENTENCES = 2;
/** The share of the topic a best sentence must hold for the support to count as strong. */
const STRONG_RELEVANCE = 0.75;
/** A sentence holding less of the question's topic weight than this is about something else. */
const MIN_RELEVANCE = 1 / 3;
/** A sentence scoring under this share of the best one adds noise, not evidence. */
const RELATIVE_FLOOR = 0.55;
/** The headings above a sentence say what it is about, though less surely than its own words. */
const CONTEXT_SHARE = 0.75;
/** The rest of a sentence's passage says what it is about too, less surely than its headings. */
const PASSAGE_SHARE = 0.25;
/** A best document holding less of the question's topic than this answers another question: say so rather than quote it. */
const MIN_COVERAGE = 0.25;
/** A document that only mentions a word in its text is less about it than one whose headings name it. */
const PASSING_MENTION_SHARE = 0.5;
/** A question word that a source's title names is what the question is about. */
const SUBJECT_BOOST = 2;
/** Without a word a title names, the question's rarest words are its subject. */
const SUBJECT_SHARE = 0.5;
/** A word the sources use everywhere says little about which sentence answers. */
const GENERIC_FACTOR = 0.25;
/** Answering the kind of question asked (treatment for a treatment question) counts as much as the topic. */
const KIND_BOOST = 1;
/** A section heading of that kind ("Treatment") vouches for its sentences, less than their own words. */
const HEADING_KIND_BOOST = 0.5;
/** A sentence about what the question excludes ("without medication") sinks below the others. */
const NEGATED_FACTOR = 0.25;
/** The retriever ranked the sources: a document it put first starts ahead of the others. */
const RETRIEVAL_PRIOR = 0.3;
/** Within equal scores, the earlier source wins. */
const SOURCE_ORDER_TIE_BREAK = 0.05;
/** Headings, table fragments and list stubs are not answers. */
const MIN_SENTENCE_WORDS = 4;
/** A line without a sentence end is a heading or a list fragment unless it is this long. */
const STANDALONE_WORDS = 8;
/** A question word the sources lack, this long or longer, may be a misspelling of theirs (as the lexical search reads it). */
const SPELLING_MIN_LETTERS = 6;
/** A sources' word that sounds alike (same Soundex code) is the one meant within this many edits, and a third of its letters. */
const SOUND_ALIKE_EDITS = 3;
/** Words of how questions are put, not of what they are about. */
const QUESTION_FILLER = new Set([
  'get', 'way', 'ways', 'best', 'thing', 'things', 'someone', 'something', 'anything', 'anyone', 'really', 'possible',
  'like', 'look', 'happen', 'happens', 'lot', 'kind', 'mean', 'means', 'explain', 'describe', 'list', 'information', 'info', 'details',
]);

/** What is left of "I'm", "they're", "we've", "I'd", "she'll" once the apostrophe is a space. */
const CONTRACTION_ENDINGS = new Set(['m', 're', 've', 'd', 'll']);

/** Pronouns, ellipsis and connectives that make a message lean on the previous one. */
const REFERS_BACK = /\b(it|its|they|them|their|this|that|these|those|he|she|him|her|his|same|such|also|there)\b|\.\.\.|…/i;
const CONTINUES = /^\s*(and|or|but|so|also|what about|how about|then)\b/i;
const QUESTION_OPENER = /^\s*(what|who|how|why|when|where|which|is|are|can|could|does|do|should|will|would)\b/i;
const FOLLOW_UP_SUFFIX = /\s*\(follow-up to: .*\)$/;
const CITATION_MARKS = /\s*\[\d+(?:\s*,\s*\d+)*\]/g;

const HEADING_LINE = /^\s*#/;
const TABLE_ROW = /^\s*\|/;
const TABLE_RULE = /^\s*\|?(\s*:?-{3,}:?\s*\|?)+\s*$/;
const UNDERSCORE_EMPHASIS = /(^|[\s(])_([^_\n]+)_(?=$|[\s).,;:!?])/g;
const LIST_MARKER = /^\s*(?:[-*+]|\d+[.)])\s+/;
/**
 * Text flattened from a list keeps its markers inline: " - " starts a new item before a
 * capital, or anywhere in a line holding several of them (one alone may be a dash).
 */
const INLINE_ITEM = /\s+-\s+(?=[A-Z0-9])/;
const ANY_INLINE_ITEM = /\s+-\s+/;
const SENTENCE_BREAK = /(?<=[.!?])\s+(?=[A-Z0-9("'])/;
const STATEMENT_END = /[.!]["'”’)\]]*$/;
const QUESTION_END = /\?["'”’)\]]*$/;
const LABEL_VALUE = /^[A-Za-z][\w '()/-]{0,40}: +[^\s:]/;
/** A lead-in ("Signs include:") announces an answer; it is not one. */
const LEAD_IN_END = /(?:[:;,–-]|\b(?:including|includes?|such as|the following))$/i;
const SENTENCE_OPENER = /^(what|who|whom|whose|how|why|when|where|which|is|are|can|could|do|does|did|should|will|would|may|has|have)\b/i;

/** One quotable sentence of a source, with what it says and where it stands. */
interface Sentence {
  n: number;
  /** The document its source belongs to. */
  doc: string;
  text: string;
  /** Normalised words (for word families) and their stems (for topic words). */
  words: string[];
  stems: Set<string>;
  /** Stems of the source's title, of its headings below the title, and of both. */
  title: Set<string>;
  sections: Set<string>;
  context: Set<string>;
  /** Stems of the whole passage (source) the sentence stands in. */
  passage: Set<string>;
  saysKind: boolean;
  headingSaysKind: boolean;
  negated: boolean;
}

interface Scored extends Sentence {
  /** Share of the question's topic weight the sentence holds (its headings counting less). */
  relevance: number;
  score: number;
}

/** The question's topic words (stems) with their weight, and those it is about. */
interface Topic {
  weights: Map<string, number>;
  subjects: Set<string>;
  /** Weight of the topic words the sources use. */
  total: number;
}

interface RankedDocument {
  doc: string;
  coverage: number;
  support: number;
  sentences: Scored[];
}

/**
 * The offline answerer for machines without an API key: it quotes the few sentences of
 * the provided sources that best answer the question, each followed by its [n] citation,
 * and says plainly that it is extractive. A sentence must be about the question's topic;
 * among those, sentences answering the kind of question asked (treatment, symptoms...)
 * and sentences of the best-supported document come first. When even that document holds
 * little of the question's topic, it says the sources do not answer rather than quote
 * another topic. Condensing and summarising are deterministic heuristics.
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

/** Topic first, then the kind asked, then the best-supported document: see the rules below. */
function bestSentences(question: string, sources: NumberedSource[]): Scored[] {
  const cues = readQuestion(question);
  const sentences = sources.flatMap((source) => sentencesOf(source, cues));
  const titles = new Set(sources.flatMap((source) => analyseWords(source.title)));
  const topic = weighTopic(spelledAsSources(topicStems(question, cues, titles), sentences), sentences);
  if (topic.total === 0) return [];
  const scored = sentences.flatMap((sentence) => scoreSentence(sentence, topic) ?? []);
  if (scored.length === 0) return [];
  const documents = rankDocuments(scored, sentences, topic);
  return documents[0]!.coverage < MIN_COVERAGE ? [] : chooseSentences(documents);
}

/** The question's cues; a negation that would leave nothing to look for is dropped (a question is never only about what it excludes). */
function readQuestion(question: string): QuestionCues {
  const cues = questionCues(question);
  const wanted = contentWords(question).filter((word) => !cues.negated.has(word));
  return wanted.length > 0 ? cues : { ...cues, negated: new Set() };
}

function contentWords(question: string): string[] {
  return normaliseText(question)
    .split(' ')
    .filter((word) => analyseWords(word).length > 0 && !QUESTION_FILLER.has(word) && !CONTRACTION_ENDINGS.has(word));
}

/**
 * What the question is about: its content words, minus those it excludes, minus those that
 * only say what kind of answer is wanted ("treatment", "symptoms"), unless a title names
 * them ("Diabetes medicines") or nothing else is left.
 */
function topicStems(question: string, cues: QuestionCues, titles: ReadonlySet<string>): Set<string> {
  const wanted = contentWords(question).filter((word) => !cues.negated.has(word));
  const about = wanted.filter((word) => !isKindWord(word) || analyseWords(word).every((stem) => titles.has(stem)));
  return new Set((about.length > 0 ? about : wanted).flatMap((word) => analyseWords(word)));
}

/**
 * The question's words as the sources spell them: a word they lack ("hemroids") is read as
 * their word one edit away, or failing that the one that sounds alike within three edits
 * and a third of its letters ("hemorrhoids"; not "Pancoast" for "pancakes"), the way the
 * lexical search corrected it to find these sources.
 */
function spelledAsSources(stems: Set<string>, sentences: Sentence[]): Set<string> {
  const known = new Map<string, number>();
  for (const sentence of sentences) {
    for (const stem of new Set([...sentence.stems, ...sentence.context])) known.set(stem, (known.get(stem) ?? 0) + 1);
  }
  const misspelled = (stem: string) => !known.has(stem) && stem.length >= SPELLING_MIN_LETTERS && /^[a-z]+$/.test(stem);
  return new Set([...stems].map((stem) => (misspelled(stem) ? (closestKnown(stem, known) ?? stem) : stem)));
}

/** Fewest edits first, then the word more sentences use. */
function closestKnown(stem: string, known: ReadonlyMap<string, number>): string | undefined {
  const sound = soundex(stem);
  let best: { stem: string; edits: number; uses: number } | undefined;
  for (const [candidate, uses] of known) {
    const edits = distance(stem, candidate);
    const withinSound = edits <= Math.min(SOUND_ALIKE_EDITS, Math.max(stem.length, candidate.length) / 3);
    const alike = edits === 1 || (withinSound && soundex(candidate) === sound);
    if (alike && (!best || edits < best.edits || (edits === best.edits && uses > best.uses))) best = { stem: candidate, edits, uses };
  }
  return best?.stem;
}

/** The quotable sentences of a source, each with what it says about the question's cues. */
function sentencesOf(source: NumberedSource, cues: QuestionCues): Sentence[] {
  const headings = source.headingPath ?? [source.title, source.heading];
  const below = headings.filter((heading) => heading !== source.title).join(' ');
  const title = new Set(analyseWords(source.title));
  const sections = new Set(analyseWords(below));
  const context = new Set([...title, ...sections]);
  const headingSaysKind = below !== '' && saysKind(normaliseText(below), cues.kinds);
  const passage = new Set(analyseWords(source.content));
  return splitSentences(source.content).map((text) => {
    const normalised = normaliseText(text);
    const words = normalised.split(' ');
    const stems = new Set(analyseWords(text));
    return {
      n: source.n,
      doc: source.doc ?? source.title,
      text,
      words,
      stems,
      title,
      sections,
      context,
      passage,
      saysKind: saysKind(normalised, cues.kinds, title),
      headingSaysKind,
      negated: cues.negated.size > 0 && mentionsNegated(words, stems, cues.negated),
    };
  });
}

/**
 * Rarer words are better evidence: inverse frequency over the provided sentences. A word
 * a source's title names is what the question is about and weighs more (section headings
 * name too many passing things: "Compare symptoms across visits").
 * Another word the sources use everywhere (in most documents, or in most sentences:
 * "people", "severe") is generic and counts little.
 */
function weighTopic(stems: Set<string>, sentences: Sentence[]): Topic {
  const documents = new Set(sentences.map((sentence) => sentence.doc)).size;
  const weights = new Map<string, number>();
  const naming = new Set<string>();
  const specific = new Set<string>();
  for (const stem of stems) {
    const frequency = sentences.filter((sentence) => sentence.stems.has(stem)).length;
    const rarity = Math.log(1 + sentences.length / Math.max(1, frequency));
    if (sentences.some((sentence) => sentence.title.has(stem))) {
      naming.add(stem);
      weights.set(stem, rarity * SUBJECT_BOOST);
    } else if (frequency > 0) {
      const generic = (documents > 1 && documentsMentioning(stem, sentences) > documents / 2) || frequency > sentences.length / 2;
      if (!generic) specific.add(stem);
      weights.set(stem, rarity * (generic ? GENERIC_FACTOR : 1));
    }
  }
  return { weights, subjects: naming.size > 0 ? naming : rarestOf(specific, weights), total: sum(weights.values()) };
}

function documentsMentioning(stem: string, sentences: Sentence[]): number {
  return new Set(sentences.filter((sentence) => sentence.stems.has(stem) || sentence.context.has(stem)).map((sentence) => sentence.doc)).size;
}

/** Without a word a title names, the question is about its rarest specific words (none: the sources only share generic words with it). */
function rarestOf(stems: Set<string>, weights: Map<string, number>): Set<string> {
  const heaviest = Math.max(0, ...[...stems].map((stem) => weights.get(stem) ?? 0));
  return new Set([...stems].filter((stem) => (weights.get(stem) ?? 0) >= heaviest * SUBJECT_SHARE));
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/**
 * A sentence qualifies when it is about the question's subject (in its own words or its
 * headings), says something of the question itself (a topic word, or the kind of answer
 * asked), and holds enough of the topic's weight: its own words, then in part its headings
 * and, when it names part of the topic, the rest of its passage (a description spreads over
 * sentences). Its score then grows with the kind asked and sinks when it speaks of what the
 * question excludes.
 */
function scoreSentence(sentence: Sentence, topic: Topic): Scored | null {
  const own = [...topic.weights.keys()].filter((stem) => sentence.stems.has(stem));
  const fromHeadings = [...topic.weights.keys()].filter((stem) => !sentence.stems.has(stem) && sentence.context.has(stem));
  // The passage vouches only for a sentence that names part of the topic itself.
  const fromPassage =
    own.length === 0 ? [] : [...topic.weights.keys()].filter((stem) => !sentence.stems.has(stem) && !sentence.context.has(stem) && sentence.passage.has(stem));
  const aboutSubject = [...own, ...fromHeadings].some((stem) => topic.subjects.has(stem));
  // An item under a heading that names a topic word ("Allergies": "Latex: severe, hives") answers it without repeating it.
  const saysSomething = own.length > 0 || sentence.saysKind || fromHeadings.some((stem) => sentence.sections.has(stem));
  if (!aboutSubject || !saysSomething) return null;
  const weightOf = (stems: string[]) => sum(stems.map((stem) => topic.weights.get(stem) ?? 0));
  const relevance = (weightOf(own) + CONTEXT_SHARE * weightOf(fromHeadings) + PASSAGE_SHARE * weightOf(fromPassage)) / topic.total;
  if (relevance < MIN_RELEVANCE) return null;
  const kind = 1 + (sentence.saysKind ? KIND_BOOST : 0) + (sentence.headingSaysKind ? HEADING_KIND_BOOST : 0);
  const excluded = sentence.negated ? NEGATED_FACTOR : 1;
  const score = relevance * kind * excluded * (1 + SOURCE_ORDER_TIE_BREAK / sentence.n);
  return { ...sentence, relevance, score };
}

/**
 * Documents by support: how much of the topic they cover, how well their best sentence
 * matches, and where the retriever ranked them. Only documents that cover the topic as
 * fully as the best one may add sentences to its own: a document that merely shares a
 * word with the question ("severe") is about something else.
 */
function rankDocuments(scored: Scored[], sentences: Sentence[], topic: Topic): RankedDocument[] {
  const order = [...new Set(sentences.map((sentence) => sentence.doc))];
  const bestScore = Math.max(...scored.map((sentence) => sentence.score));
  const documents = order.flatMap((doc, index): RankedDocument[] => {
    const own = scored.filter((sentence) => sentence.doc === doc).sort((a, b) => b.score - a.score);
    if (own.length === 0) return [];
    const coverage = coverageOf(sentences.filter((sentence) => sentence.doc === doc), topic);
    const support = coverage + own[0]!.score / bestScore + RETRIEVAL_PRIOR / (index + 1);
    return [{ doc, coverage, support, sentences: own }];
  });
  documents.sort((a, b) => b.support - a.support);
  const top = documents[0]!;
  return documents.filter((document) => document === top || document.coverage >= top.coverage);
}

/**
 * Share of the topic's weight a document holds: in full for a word its title or a heading
 * names (a part of it is about that), in part for a word its text only mentions in passing.
 */
function coverageOf(sentences: Sentence[], topic: Topic): number {
  let covered = 0;
  for (const [stem, weight] of topic.weights) {
    if (sentences.some((sentence) => sentence.context.has(stem))) covered += weight;
    else if (sentences.some((sentence) => sentence.stems.has(stem))) covered += weight * PASSING_MENTION_SHARE;
  }
  return covered / topic.total;
}

/**
 * The top document's best sentences first, then those of documents that add support, each
 * above the floor set by the best sentence; fewer when even the best holds only part of the topic.
 */
function chooseSentences(documents: RankedDocument[]): Scored[] {
  const candidates = documents.flatMap((document) => document.sentences);
  const best = Math.max(...candidates.map((sentence) => sentence.score));
  const strongest = Math.max(...candidates.map((sentence) => sentence.relevance));
  const limit = strongest >= STRONG_RELEVANCE ? MAX_SENTENCES : WEAK_MAX_SENTENCES;
  const seen = new Set<string>();
  const chosen: Scored[] = [];
  for (const candidate of candidates) {
    if (chosen.length >= limit) break;
    if (candidate.score < best * RELATIVE_FLOOR) continue;
    const identity = normaliseText(candidate.text);
    if (seen.has(identity)) continue;
    seen.add(identity);
    chosen.push(candidate);
  }
  return chosen;
}

/** Sentences of a Markdown chunk: headings dropped, tables read row by row, list markers and emphasis removed. */
function splitSentences(content: string): string[] {
  return linesOf(content)
    .map((line) => line.replace(LIST_MARKER, '').replace(/[*`]+/g, '').replace(UNDERSCORE_EMPHASIS, '$1$2').replace(CITATION_MARKS, ''))
    .flatMap(splitInlineItems)
    .flatMap((line) => line.split(SENTENCE_BREAK))
    .map((sentence) => sentence.replace(/\s+/g, ' ').replace(/\s+([.,;:!?])/g, '$1').trim())
    .filter(isQuotable);
}

function splitInlineItems(line: string): string[] {
  const markers = line.match(/\s-\s/g)?.length ?? 0;
  return line.split(markers > 1 ? ANY_INLINE_ITEM : INLINE_ITEM);
}

/** The lines of a chunk without its headings; a table's header and rule give no line, each data row one. */
function linesOf(content: string): string[] {
  const lines = content.split('\n').filter((line) => !HEADING_LINE.test(line));
  const kept: string[] = [];
  let header: string[] = [];
  lines.forEach((line, index) => {
    if (!TABLE_ROW.test(line)) {
      header = [];
      kept.push(line);
    } else if (TABLE_RULE.test(line)) {
      // The rule under a header row: nothing to say.
    } else if (TABLE_RULE.test(lines[index + 1] ?? '')) {
      header = cellsOf(line);
    } else {
      kept.push(tableRowText(cellsOf(line), header));
    }
  });
  return kept;
}

function cellsOf(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim());
}

/** A data row read as "header: cell" pairs, so that it says what each value is, and ended as a statement. */
function tableRowText(cells: string[], header: string[]): string {
  const pairs = cells.flatMap((cell, index) => (cell === '' ? [] : [header[index] ? `${header[index]}: ${cell}` : cell]));
  return pairs.length === 0 ? '' : `${pairs.join('; ').replace(/[.;,]$/, '')}.`;
}

/** A sentence that can stand as an answer: not a question nor a lead-in; a "label: value" fact, or long enough and not a heading or list stub. */
function isQuotable(sentence: string): boolean {
  if (readsAsQuestion(sentence) || LEAD_IN_END.test(sentence)) return false;
  // Records and reference lists state facts as "Blood pressure: 128/82 mmHg": short, but an answer.
  if (LABEL_VALUE.test(sentence)) return true;
  const words = sentence.split(' ').length;
  return words >= MIN_SENTENCE_WORDS && !isStub(sentence, words);
}

/** A question in a source is what a reader asked, not what the source answers. */
function readsAsQuestion(sentence: string): boolean {
  return QUESTION_END.test(sentence) || (SENTENCE_OPENER.test(sentence) && !STATEMENT_END.test(sentence));
}

/** A fragment without a sentence end that is too short to stand alone, or a run of title-case headings or links. */
function isStub(sentence: string, words: number): boolean {
  return !STATEMENT_END.test(sentence) && (words < STANDALONE_WORDS || isMostlyCapitalised(sentence));
}

function isMostlyCapitalised(text: string): boolean {
  const words = text.split(' ').filter((word) => /^[A-Za-z]/.test(word));
  return words.filter((word) => /^[A-Z]/.test(word)).length > words.length / 2;
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
