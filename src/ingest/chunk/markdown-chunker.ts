import { countTokens, decodeTokens, encodeTokens, truncateToTokens } from '../../llm/tokens.js';
import type { ChunkDraft, ChunkingOptions } from '../types.js';
import { splitSections, type MarkdownBlock } from './markdown-sections.js';

/**
 * Recorded with every chunk in the database; bump it whenever the output for the same
 * input changes (rules, defaults, separators) so that ingestion re-chunks everything.
 */
export const CHUNKER_VERSION = 'md-v2';

/**
 * MedQuAD answers are ~890 characters (~200 tokens) at the median, so most sections
 * stay whole; 512 keeps a chunk and its heading path well inside the embedding window.
 */
export const DEFAULT_CHUNKING: ChunkingOptions = Object.freeze({
  targetTokens: 350,
  overlapTokens: 50,
  maxTokens: 512,
});

const PATH_SEPARATOR = ' > ';
/** Estimated cost of a separator ('\n\n', '\n', ' ') between two separately counted pieces. */
const SEPARATOR_TOKENS = 1;

/** A sentence ends at . ! ? (plus closing quotes/brackets) before a capital or digit. */
const SENTENCE_BREAK = /(?<=[.!?]["'\u201d\u2019)\]]*)\s+(?=["'\u201c\u2018([]?[A-Z0-9])/;
const ABBREVIATION_END = /(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof|St|Sr|Jr|vs|e\.g|i\.e|approx|Fig)\.$/i;

type Block = MarkdownBlock & { tokens: number };

/** A piece of a section that packing never cuts. */
interface Unit {
  text: string;
  tokens: number;
  /** Put before this unit when it follows another one in the same chunk. */
  sep: string;
  /** Prose can seed the next chunk's overlap; tables, code and list items cannot. */
  prose: boolean;
}

interface Budget {
  /** What packing aims for (content tokens, heading prefix excluded). */
  pack: number;
  /** Hard content limit for this section. */
  max: number;
  overlap: number;
}

/**
 * Splits a Markdown document (CommonMark + GFM, see markdown-sections.ts) into chunks
 * that follow its structure: one chunk per heading section when it fits `targetTokens`,
 * otherwise paragraph / sentence / token splits with overlap. Tables, lists and code
 * blocks stay whole when they fit `maxTokens`; past that a list is cut between items, a
 * table between rows under its repeated header, code between lines. Text is kept as
 * written. Deterministic; no chunk's embeddingText exceeds `maxTokens`.
 */
export function chunkDocument(
  doc: { title: string; body: string },
  options: ChunkingOptions = DEFAULT_CHUNKING,
): ChunkDraft[] {
  validateOptions(options);
  const drafts: ChunkDraft[] = [];
  const margin = Math.min(8, Math.floor(options.maxTokens / 32));
  for (const section of splitSections(doc.body, doc.title.trim())) {
    if (section.blocks.length === 0) continue; // a heading with no text is not worth a chunk
    const blocks: Block[] = section.blocks.map((block) => ({ ...block, tokens: countTokens(block.text) }));
    const headingPath = fitHeadingPath(section.path, options.maxTokens);
    const prefix = headingPrefix(headingPath);
    const prefixTokens = countTokens(prefix);
    const contentTokens = sumTokens(blocks);

    if (prefixTokens + contentTokens <= options.targetTokens) {
      emit(drafts, headingPath, prefix, blocks.map((b) => b.text).join('\n\n'), options.maxTokens, margin);
      continue;
    }
    const max = Math.max(1, options.maxTokens - prefixTokens - margin);
    const target = Math.min(max, Math.max(options.targetTokens - prefixTokens, Math.floor(options.targetTokens / 4), 1));
    // Balance the pieces (700 tokens -> 2 x ~350, not 350 + 350 + a crumb).
    const pieces = Math.ceil(contentTokens / target);
    const pack = pieces <= 1 ? target : Math.min(target, Math.ceil(contentTokens / pieces) + options.overlapTokens);
    const budget: Budget = { pack, max, overlap: options.overlapTokens };
    const units = blocks.flatMap((block) => blockUnits(block, budget));
    for (const content of packUnits(units, budget)) {
      emit(drafts, headingPath, prefix, content, options.maxTokens, margin);
    }
  }
  return drafts;
}

function validateOptions(options: ChunkingOptions): void {
  const { targetTokens, overlapTokens, maxTokens } = options;
  const problems: string[] = [];
  if (!Number.isInteger(targetTokens) || targetTokens < 1) problems.push('targetTokens must be a positive integer');
  if (!Number.isInteger(maxTokens) || maxTokens < 32) problems.push('maxTokens must be an integer >= 32');
  if (maxTokens < targetTokens) problems.push('maxTokens must be >= targetTokens');
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens >= targetTokens) {
    problems.push('overlapTokens must be an integer in [0, targetTokens)');
  }
  if (problems.length > 0) throw new RangeError(`Invalid chunking options: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------
// Units: blocks cut down to pieces that fit

function blockUnits(block: Block, budget: Budget): Unit[] {
  if (block.kind === 'prose') return proseUnits(block.text, block.tokens, budget.pack, '\n\n');
  if (block.tokens <= budget.max) return [atomic(block.text, block.tokens, '\n\n')];
  switch (block.kind) {
    case 'list':
      return listUnits(block.items, budget);
    case 'table':
      return tableUnits(block, budget);
    case 'code':
      return codeUnits(block, budget);
  }
}

function atomic(text: string, tokens: number, sep: string): Unit {
  return { text, tokens, sep, prose: false };
}

/** Paragraph -> itself, else sentences, else word windows, else token windows. */
function proseUnits(text: string, tokens: number, limit: number, sep: string): Unit[] {
  if (tokens <= limit) return [{ text, tokens, sep, prose: true }];
  const units: Unit[] = [];
  for (const sentence of splitSentences(text)) {
    const sentenceTokens = countTokens(sentence);
    const pieces =
      sentenceTokens <= limit ? [{ text: sentence, tokens: sentenceTokens }] : wordWindows(sentence, limit);
    for (const piece of pieces) {
      units.push({ text: piece.text, tokens: piece.tokens, sep: units.length === 0 ? sep : (piece.glue ?? ' '), prose: true });
    }
  }
  return units;
}

/** Whole items (nested lists and code included); only an item too large for any chunk is cut as prose. */
function listUnits(items: string[], budget: Budget): Unit[] {
  return items.flatMap((text, index) => {
    const sep = index === 0 ? '\n\n' : '\n';
    const tokens = countTokens(text);
    return tokens <= budget.max ? [atomic(text, tokens, sep)] : proseUnits(text, tokens, budget.pack, sep);
  });
}

/**
 * Rows grouped under a repeated header row, so every piece is still a readable table;
 * a row too large to go with the header becomes "column: value" lines.
 */
function tableUnits(table: Extract<Block, { kind: 'table' }>, budget: Budget): Unit[] {
  const headerTokens = countTokens(table.header);
  const rows = table.rows.map((row) => ({ ...row, tokens: countTokens(row.text) + SEPARATOR_TOKENS }));
  return packGreedy(rows, {
    limit: budget.pack - headerTokens,
    group: (texts, tokens) => atomic(`${table.header}\n${texts.join('\n')}`, headerTokens + tokens, '\n\n'),
    alone: (row) => (headerTokens + row.tokens > budget.max ? columnValueUnits(table.columns, row.cells, budget) : null),
  });
}

function columnValueUnits(columns: string[], cells: string[], budget: Budget): Unit[] {
  const lines = cells.flatMap((cell, i) => {
    if (cell.length === 0) return [];
    const column = columns[i] ?? '';
    return [column.length > 0 ? `${column}: ${cell}` : cell];
  });
  return lines.flatMap((line, i) => proseUnits(line, countTokens(line), budget.pack, i === 0 ? '\n\n' : '\n'));
}

/** Line groups, each re-wrapped in the original fence so it stays a code block. */
function codeUnits(code: Extract<Block, { kind: 'code' }>, budget: Budget): Unit[] {
  const { open, close } = code.fence ?? { open: '', close: '' };
  const wrapTokens = code.fence === null ? 0 : countTokens(`${open}\n\n${close}`);
  const limit = Math.max(1, budget.pack - wrapTokens);
  const wrap = (texts: string[], tokens: number): Unit => {
    const body = texts.join('\n');
    return atomic(code.fence === null ? body : `${open}\n${body}\n${close}`, wrapTokens + tokens, '\n\n');
  };
  const lines = code.lines.map((line) => ({ text: line, tokens: countTokens(line) + SEPARATOR_TOKENS }));
  return packGreedy(lines, {
    limit,
    group: wrap,
    alone: (line) => (line.tokens > limit ? wordWindows(line.text, limit).map((piece) => wrap([piece.text], piece.tokens)) : null),
  });
}

/** How packGreedy groups parts. */
interface Packing<T, P extends Part> {
  /** Tokens a group may hold. */
  limit: number;
  /** What the texts of a group become. */
  group: (texts: string[], tokens: number) => T;
  /** What a part becomes on its own, outside any group; null to pack it as usual. */
  alone: (part: P) => T[] | null;
}

interface Part {
  text: string;
  tokens: number;
}

/** Consecutive parts packed greedily into groups of at most `limit` tokens, in order. */
function packGreedy<T, P extends Part>(parts: P[], packing: Packing<T, P>): T[] {
  const out: T[] = [];
  let texts: string[] = [];
  let total = 0;
  const flush = (): void => {
    if (texts.length > 0) out.push(packing.group(texts, total));
    texts = [];
    total = 0;
  };
  for (const part of parts) {
    const single = packing.alone(part);
    if (single !== null) {
      flush();
      out.push(...single);
      continue;
    }
    if (texts.length > 0 && total + part.tokens > packing.limit) flush();
    texts.push(part.text);
    total += part.tokens;
  }
  flush();
  return out;
}

/** Sentences of a paragraph; whitespace between them collapses to the join of the caller. */
function splitSentences(text: string): string[] {
  const raw = text.split(SENTENCE_BREAK);
  const sentences: string[] = [];
  for (const piece of raw) {
    const previous = sentences[sentences.length - 1];
    if (previous !== undefined && ABBREVIATION_END.test(previous)) sentences[sentences.length - 1] = `${previous} ${piece}`;
    else if (piece.length > 0) sentences.push(piece);
  }
  return sentences;
}

/** A cut piece of text; `glue` joins it to the piece before ('' inside a cut word). */
interface Piece {
  text: string;
  tokens: number;
  glue?: string;
}

/** Packs whole words up to `limit` tokens; a word longer than that is cut by tokens. */
function wordWindows(text: string, limit: number): Piece[] {
  const words = text
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .map((word) => ({ text: word, tokens: countTokens(` ${word}`) }));
  return packGreedy<Piece, Part>(words, {
    limit,
    group: (texts, tokens) => ({ text: texts.join(' '), tokens }),
    alone: (word) => (word.tokens > limit ? tokenWindows(word.text, limit) : null),
  });
}

/** Last resort: cut at token boundaries, never inside a multi-byte character. */
function tokenWindows(text: string, maxTokens: number): Piece[] {
  const limit = Math.max(1, maxTokens);
  const tokens = encodeTokens(text);
  const windows: Piece[] = [];
  let start = 0;
  while (start < tokens.length) {
    let end = Math.min(start + limit, tokens.length);
    let piece = decodeTokens(tokens.slice(start, end));
    // A token can hold half of a UTF-8 character; move the cut back a little.
    for (let back = 0; back < 3 && end < tokens.length && end - start > 1 && piece.endsWith('\uFFFD'); back++) {
      end--;
      piece = decodeTokens(tokens.slice(start, end));
    }
    // A window too small to go back: take the rest of the character instead.
    for (let ahead = 0; ahead < 3 && end < tokens.length && piece.endsWith('\uFFFD'); ahead++) {
      end++;
      piece = decodeTokens(tokens.slice(start, end));
    }
    windows.push(start === 0 ? { text: piece, tokens: end - start } : { text: piece, tokens: end - start, glue: '' });
    start = end;
  }
  return windows;
}

// ---------------------------------------------------------------------------------
// Packing and overlap

function packUnits(units: Unit[], budget: Budget): string[] {
  const chunks: string[] = [];
  let current: Unit[] = [];
  let currentTokens = 0;
  let hasNew = false;
  for (const unit of units) {
    if (hasNew && currentTokens + SEPARATOR_TOKENS + unit.tokens > budget.pack) {
      chunks.push(joinUnits(current));
      const overlap = takeOverlap(current, budget.overlap);
      const overlapTokens = sumTokens(overlap);
      const keep = overlap.length > 0 && overlapTokens + SEPARATOR_TOKENS + unit.tokens <= budget.max;
      current = keep ? overlap : [];
      currentTokens = keep ? overlapTokens : 0;
      hasNew = false;
    }
    currentTokens += (current.length > 0 ? SEPARATOR_TOKENS : 0) + unit.tokens;
    current.push(unit);
    hasNew = true;
  }
  if (hasNew) chunks.push(joinUnits(current));
  return chunks;
}

function joinUnits(units: Unit[]): string {
  return units.map((unit, i) => (i === 0 ? unit.text : unit.sep + unit.text)).join('');
}

/** About `limit` tokens from the end of a chunk, cut at a sentence boundary when one exists. */
function takeOverlap(units: Unit[], limit: number): Unit[] {
  if (limit <= 0) return [];
  const taken: Unit[] = [];
  let total = 0;
  collect: for (let u = units.length - 1; u >= 0; u--) {
    const unit = units[u]!;
    if (!unit.prose) break;
    const sentences = splitSentences(unit.text);
    for (let s = sentences.length - 1; s >= 0; s--) {
      const sentence = sentences[s]!;
      const tokens = countTokens(sentence);
      if (total + tokens > limit) break collect;
      taken.unshift({ text: sentence, tokens, sep: s === 0 ? unit.sep : ' ', prose: true });
      total += tokens + SEPARATOR_TOKENS;
    }
  }
  if (taken.length > 0) return taken;
  const last = units[units.length - 1];
  if (last === undefined || !last.prose) return [];
  // No sentence short enough: take the tail tokens, starting at a word boundary.
  const tail = decodeTokens(encodeTokens(last.text).slice(-limit));
  const fromWord = tail.replace(/^\S*\s+/, '').trim();
  return fromWord.length === 0 ? [] : [{ text: fromWord, tokens: countTokens(fromWord), sep: ' ', prose: true }];
}

// ---------------------------------------------------------------------------------
// Output

function headingPrefix(path: string[]): string {
  return `${path.join(PATH_SEPARATOR)}\n\n`;
}

/** Keeps the heading path to a quarter of the limit, so content always has room. */
function fitHeadingPath(path: string[], maxTokens: number): string[] {
  const limit = Math.floor(maxTokens / 4);
  if (path.length === 0 || countTokens(path.join(PATH_SEPARATOR)) <= limit) return path;
  const each = Math.max(2, Math.floor(limit / path.length) - 2);
  return path.map((heading) => truncateToTokens(heading, each).trim());
}

/** Adds the chunk, re-splitting it if the estimates let it pass the hard limit. */
function emit(
  drafts: ChunkDraft[],
  headingPath: string[],
  prefix: string,
  content: string,
  maxTokens: number,
  margin: number,
  depth = 0,
): void {
  const text = content.trim();
  if (text.length === 0) return;
  const embeddingText = prefix + text;
  const tokenCount = countTokens(embeddingText);
  if (tokenCount <= maxTokens) {
    drafts.push({ chunkIndex: drafts.length, headingPath: [...headingPath], content: text, embeddingText, tokenCount });
    return;
  }
  const limit = Math.max(1, maxTokens - countTokens(prefix) - margin * (depth + 1));
  const pieces = depth < 2 ? wordWindows(text, limit) : tokenWindows(text, Math.max(1, Math.floor(limit / 2)));
  for (const piece of pieces) emit(drafts, headingPath, prefix, piece.text, maxTokens, margin, depth + 1);
}

function sumTokens(items: { tokens: number }[]): number {
  let total = 0;
  for (const item of items) total += item.tokens;
  return total + Math.max(0, items.length - 1) * SEPARATOR_TOKENS;
}
