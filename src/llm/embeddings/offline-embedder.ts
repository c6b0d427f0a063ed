import { EMBEDDING_DIMENSIONS, type EmbedOptions, type Embedder, type EmbeddingResult } from './embedder.js';

/**
 * Recorded with the index; bump the suffix whenever the vectors this file produces
 * change (features, weights, stemmer, lexicon), so that old and new vectors never mix.
 */
export const OFFLINE_EMBEDDING_MODEL = 'offline-hashing-v2';

/**
 * A deterministic, weight-free embedder for machines without an API key or network:
 * signed feature hashing ("hashing trick") of normalised, lightly stemmed word
 * unigrams, adjacent-word bigrams and character 4-grams into `EMBEDDING_DIMENSIONS`
 * dimensions, with sublinear term frequency and a built-in list of corpus-common
 * words that count less.
 *
 * Two fields, as in BM25F: when a text starts with a short heading line followed by a
 * blank line (the `ChunkDraft.embeddingText` format, `Title > Section\n\ncontent`),
 * the heading and the body are hashed separately, each L2-normalised, and mixed with
 * `HEADING_SHARE` of the mass on the heading. A chunk's title and section therefore
 * weigh as much as its hundreds of body words, which is what questions name.
 *
 * It captures shared words and word pieces, not meaning: synonyms that share no
 * letters ("heart attack" / "myocardial infarction") do not meet.
 */
export class OfflineEmbedder implements Embedder {
  readonly model = OFFLINE_EMBEDDING_MODEL;
  readonly dimensions = EMBEDDING_DIMENSIONS;
  readonly offline = true;

  /** `tokens` is 0: nothing is billed; chunk token counts live on the chunks already. */
  embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult> {
    return settle(options, () => ({ vectors: texts.map((text) => embedDocumentText(text)), calls: 1, tokens: 0 }));
  }

  embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    return settle(options, () => embedQueryText(text));
  }
}

/** Runs synchronous work behind the async interface; an aborted signal rejects, never throws. */
function settle<T>(options: EmbedOptions | undefined, work: () => T): Promise<T> {
  try {
    options?.signal?.throwIfAborted();
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

const DIMS = EMBEDDING_DIMENSIONS;

/** Share of a document vector's mass on its heading line (title > sections). */
const HEADING_SHARE = 0.6;
/** A first line longer than this is prose, not a heading path. */
const MAX_HEADING_CHARS = 300;

const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;
const CHAR_GRAM_WEIGHT = 0.2;
const CHAR_GRAM = 4;
/** Weight of words in `COMMON_WORDS`: frequent in medical text, weak evidence. */
const COMMON_WEIGHT = 0.35;

/** Suffix -> replacement for `stem`, tried in order, first match only. */
const SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['ational', 'ate'],
  ['ization', 'ize'],
  ['iveness', 'ive'],
  ['fulness', 'ful'],
  ['ations', 'ate'],
  ['ation', 'ate'],
  ['ition', 'it'],
  ['tion', 't'],
  ['ness', ''],
  ['ment', ''],
  ['ance', ''],
  ['ence', ''],
  ['ingly', ''],
  ['ing', ''],
  ['edly', ''],
  ['ed', ''],
  ['ly', ''],
  ['osis', 'os'],
];

/** Function words: no features at all. Question words are handled by the lexicon first. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her his how i if in into is it its ' +
    'me my no nor not of on or our out over own so some such than that the their them then there these they this those through to too ' +
    'under until up very was we were what when where which while who whom why will with would you your about against between both each ' +
    'few more most other same should any all am just s t don also may might must shall here again further once during before after above below off ' +
    'tell know please'
  ).split(' '),
);

/** Corpus-common content words: kept, but down-weighted (an IDF stand-in without corpus statistics). */
const COMMON_WORDS = new Set(
  (
    'disease diseas disorder syndrom syndrome condition people person patient individual affect affected health medical doctor ' +
    'type include usual often many one two three use used can cell body normal problem result caus associat ' +
    'known rare common develop child adult year age'
  )
    .split(' ')
    .map((word) => stem(word)),
);

/** Embeds one document text (a chunk's `embeddingText`, or any text). */
export function embedDocumentText(text: string): Float32Array {
  const { heading, body } = splitHeading(text);
  const out = new Float64Array(DIMS);
  if (heading === null) {
    addField(out, wordFeatures(body), 1);
  } else {
    addField(out, wordFeatures(heading), Math.sqrt(HEADING_SHARE));
    addField(out, wordFeatures(body), Math.sqrt(1 - HEADING_SHARE));
  }
  return Float32Array.from(normalise(out));
}

/** Embeds a question: its words, as one field. */
export function embedQueryText(text: string): number[] {
  const out = new Float64Array(DIMS);
  addField(out, wordFeatures(text), 1);
  return Array.from(normalise(out));
}

function splitHeading(text: string): { heading: string | null; body: string } {
  const cut = text.indexOf('\n\n');
  if (cut <= 0 || cut > MAX_HEADING_CHARS || text.lastIndexOf('\n', cut - 1) !== -1) {
    return { heading: null, body: text };
  }
  return { heading: text.slice(0, cut), body: text.slice(cut + 2) };
}

/** Lower case, accents removed, everything but letters and digits turned into spaces. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words the embedder sees: normalised, stop words dropped, stemmed (also the BM25 baseline's analyser). */
export function analyseWords(text: string): string[] {
  const words: string[] = [];
  for (const word of normaliseText(text).split(' ')) {
    if (word.length > 0 && !STOP_WORDS.has(word)) words.push(stem(word));
  }
  return words;
}

/** Feature -> weight before hashing, with sublinear term frequency (1 + ln tf). */
function wordFeatures(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (feature: string, weight: number): void => {
    counts.set(feature, (counts.get(feature) ?? 0) + weight);
  };
  let previous: string | null = null;
  for (const word of normaliseText(text).split(' ')) {
    if (word.length === 0 || STOP_WORDS.has(word)) {
      previous = null;
      continue;
    }
    const root = stem(word);
    const weight = COMMON_WORDS.has(root) ? COMMON_WEIGHT : 1;
    bump('w:' + root, weight);
    if (previous !== null) bump('b:' + previous + ' ' + root, weight);
    previous = root;
    // Character n-grams of the surface word: spelling variants and word pieces
    // ("cardiomyopathy" / "cardiac") still overlap.
    const padded = '<' + word + '>';
    if (padded.length > CHAR_GRAM) {
      for (let i = 0; i + CHAR_GRAM <= padded.length; i++) bump('c:' + padded.slice(i, i + CHAR_GRAM), weight);
    }
  }
  const features = new Map<string, number>();
  for (const [feature, count] of counts) {
    const kind = feature.charCodeAt(0);
    const kindWeight = kind === 119 /* w */ ? UNIGRAM_WEIGHT : kind === 98 /* b */ ? BIGRAM_WEIGHT : CHAR_GRAM_WEIGHT;
    // count is already weighted; sublinear so that a word repeated 20 times is not 20x the evidence.
    features.set(feature, kindWeight * (count <= 1 ? count : 1 + Math.log(count)));
  }
  return features;
}

/** Hashes `features` into `out`, scaled so that the field has L2 norm `scale`. */
function addField(out: Float64Array, features: Map<string, number>, scale: number): void {
  const field = new Float64Array(DIMS);
  for (const [feature, weight] of features) {
    const hash = hashString(feature);
    const index = hash % DIMS;
    field[index] = (field[index] ?? 0) + (hash & 0x80000000 ? -weight : weight);
  }
  let norm = 0;
  for (const value of field) norm += value * value;
  if (norm === 0) return;
  const factor = scale / Math.sqrt(norm);
  for (let i = 0; i < DIMS; i++) out[i] = (out[i] ?? 0) + (field[i] ?? 0) * factor;
}

/** Scales `vector` to unit length in place. */
function normalise(vector: Float64Array): Float64Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  // A text of only stop words has no features; a zero vector would make cosine NaN in
  // pgvector, so it gets a fixed axis (similar to nothing in particular).
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  const factor = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! * factor;
  return vector;
}

/** FNV-1a with a murmur3 finaliser: fast, deterministic, well-mixed low and high bits. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}


/**
 * A light suffix stripper (plural, -ing/-ed, common derivational endings, final e).
 * Not Porter: it only needs to be consistent between questions and chunks, and the
 * character n-grams cover what it misses.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  for (const [suffix, replacement] of SUFFIXES) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length) + replacement;
      break;
    }
  }
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}
