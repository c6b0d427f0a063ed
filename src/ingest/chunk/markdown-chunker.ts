import { countTokens, decodeTokens, encodeTokens, truncateToTokens } from '../../llm/tokens.js';
import type { ChunkDraft, ChunkingOptions } from '../types.js';

/**
 * Recorded with every chunk in the database; bump it whenever the output for the same
 * input changes (rules, defaults, separators) so that ingestion re-chunks everything.
 */
export const CHUNKER_VERSION = 'md-v1';

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

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const LIST_ITEM = /^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
/** Lists that may interrupt a paragraph without a blank line (as in CommonMark). */
const INTERRUPTING_LIST_ITEM = /^ {0,3}(?:[-*+]|1[.)])[ \t]+\S/;
/** A sentence ends at . ! ? (plus closing quotes/brackets) before a capital or digit. */
const SENTENCE_BREAK = /(?<=[.!?]["'\u201d\u2019)\]]*)\s+(?=["'\u201c\u2018([]?[A-Z0-9])/;
const ABBREVIATION_END = /(?:^|\s)(?:Dr|Mr|Mrs|Ms|Prof|St|Sr|Jr|vs|e\.g|i\.e|approx|Fig)\.$/i;

interface Section {
  path: string[];
  lines: string[];
}

type BlockKind = 'paragraph' | 'list' | 'table' | 'code';

interface Block {
  kind: BlockKind;
  lines: string[];
  text: string;
  tokens: number;
}

/** A piece of a section that packing never cuts. */
interface Unit {
  text: string;
  tokens: number;
  /** Put before this unit when it follows another one in the same chunk. */
  sep: string;
  /** Prose can seed the next chunk's overlap; tables, code and whole lists cannot. */
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
 * Splits a Markdown document into chunks that follow its structure: one chunk per
 * heading section when it fits `targetTokens`, otherwise paragraph / sentence / token
 * splits with overlap. Tables, lists and code blocks stay whole when they fit
 * `maxTokens`. Deterministic; no chunk's embeddingText exceeds `maxTokens`.
 */
export function chunkDocument(
  doc: { title: string; body: string },
  options: ChunkingOptions = DEFAULT_CHUNKING,
): ChunkDraft[] {
  validateOptions(options);
  const drafts: ChunkDraft[] = [];
  const margin = Math.min(8, Math.floor(options.maxTokens / 32));
  for (const section of splitSections(doc.body, doc.title.trim())) {
    const blocks = parseBlocks(section.lines);
    if (blocks.length === 0) continue; // a heading with no text is not worth a chunk
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
// Structure: sections and blocks

function splitSections(body: string, title: string): Section[] {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const sections: Section[] = [];
  const stack: { level: number; text: string }[] = [];
  const pathNow = (): string[] => [title, ...stack.map((h) => h.text)].filter((h) => h.length > 0);
  let current: Section = { path: pathNow(), lines: [] };
  let fence: { char: string; length: number } | null = null;

  for (const line of lines) {
    if (fence !== null) {
      current.lines.push(line);
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    const opened = openFence(line);
    if (opened !== null) {
      fence = opened;
      current.lines.push(line);
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading === null) {
      current.lines.push(line);
      continue;
    }
    sections.push(current);
    const level = heading[1]!.length;
    const text = headingText(heading[2] ?? '');
    while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
    // `# Title` repeating the document title is the document itself, not a subsection.
    if (!(level === 1 && stack.length === 0 && text === title)) stack.push({ level, text });
    current = { path: pathNow(), lines: [] };
  }
  sections.push(current);
  return sections;
}

function headingText(raw: string): string {
  // Drop an optional closing sequence (`## Causes ##`), which needs a space before it.
  return raw
    .replace(/(?:^|[ \t]+)#+[ \t]*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function openFence(line: string): { char: string; length: number } | null {
  const match = FENCE_OPEN.exec(line);
  if (match === null) return null;
  const marker = match[2]!;
  // An info string of a backtick fence cannot contain backticks (CommonMark).
  if (marker[0] === '`' && match[3]!.includes('`')) return null;
  return { char: marker[0]!, length: marker.length };
}

function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const trimmed = line.trim();
  if (line.length - line.trimStart().length > 3 || trimmed.length < fence.length) return false;
  for (const ch of trimmed) if (ch !== fence.char) return false;
  return true;
}

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

function isTableStart(lines: string[], i: number): boolean {
  const next = lines[i + 1];
  return next !== undefined && lines[i]!.includes('|') && next.includes('|') && TABLE_DELIMITER.test(next);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  const push = (kind: BlockKind, blockLines: string[]): void => {
    const text = blockLines.join('\n').replace(/^\n+|\s+$/g, '');
    blocks.push({ kind, lines: blockLines, text, tokens: countTokens(text) });
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = openFence(line);
    if (fence !== null) {
      const start = i++;
      while (i < lines.length && !closesFence(lines[i]!, fence)) i++;
      i = Math.min(i + 1, lines.length);
      push('code', lines.slice(start, i));
      continue;
    }
    if (isTableStart(lines, i)) {
      const start = i;
      i += 2;
      while (i < lines.length && !isBlank(lines[i]!) && lines[i]!.includes('|')) i++;
      push('table', lines.slice(start, i));
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const start = i++;
      while (i < lines.length) {
        const next = lines[i]!;
        if (isBlank(next)) {
          // A blank line continues the list only when an item or indented text follows.
          let j = i + 1;
          while (j < lines.length && isBlank(lines[j]!)) j++;
          const after = lines[j];
          if (after === undefined || !(LIST_ITEM.test(after) || indentOf(after) >= 2)) break;
          i = j;
          continue;
        }
        if (indentOf(next) < 2 && (openFence(next) !== null || isTableStart(lines, i))) break;
        i++;
      }
      push('list', lines.slice(start, i));
      continue;
    }
    const start = i++;
    while (i < lines.length) {
      const next = lines[i]!;
      if (isBlank(next) || openFence(next) !== null || isTableStart(lines, i) || INTERRUPTING_LIST_ITEM.test(next)) break;
      i++;
    }
    push('paragraph', lines.slice(start, i));
  }
  return blocks;
}

// ---------------------------------------------------------------------------------
// Units: blocks cut down to pieces that fit

function blockUnits(block: Block, budget: Budget): Unit[] {
  switch (block.kind) {
    case 'paragraph':
      return proseUnits(block.text, block.tokens, budget.pack, '\n\n');
    case 'list':
      return block.tokens <= budget.max ? [atomic(block)] : listUnits(block, budget);
    case 'table':
      return block.tokens <= budget.max ? [atomic(block)] : tableUnits(block, budget);
    case 'code':
      return block.tokens <= budget.max ? [atomic(block)] : codeUnits(block, budget);
  }
}

function atomic(block: Block): Unit {
  return { text: block.text, tokens: block.tokens, sep: '\n\n', prose: false };
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

function listUnits(block: Block, budget: Budget): Unit[] {
  const base = indentOf(block.lines[0]!);
  const items: string[][] = [];
  for (const line of block.lines) {
    const match = LIST_ITEM.exec(line);
    if (match !== null && match[1]!.length <= base + 1) items.push([line]);
    else items[items.length - 1]!.push(line);
  }
  return items.flatMap((itemLines, index) => {
    const text = itemLines.join('\n').trim();
    return proseUnits(text, countTokens(text), budget.pack, index === 0 ? '\n\n' : '\n');
  });
}

/** Rows grouped under a repeated header row, so every piece is still a readable table. */
function tableUnits(block: Block, budget: Budget): Unit[] {
  const header = block.lines.slice(0, 2).join('\n');
  const headerTokens = countTokens(header);
  const rows = block.lines.slice(2).map((row) => ({ text: row, tokens: countTokens(row) + SEPARATOR_TOKENS }));
  return packGreedy(rows, {
    limit: budget.pack - headerTokens,
    group: (texts, tokens) => ({ text: `${header}\n${texts.join('\n')}`, tokens: headerTokens + tokens, sep: '\n\n', prose: false }),
    // A single row too large for any chunk: keep its text, lose the table form.
    alone: (row, tokens) => (headerTokens + tokens > budget.max ? proseUnits(row, tokens, budget.pack, '\n\n') : null),
  });
}

/** Line groups, each re-wrapped in the original fence so it stays a code block. */
function codeUnits(block: Block, budget: Budget): Unit[] {
  const open = block.lines[0]!;
  const last = block.lines[block.lines.length - 1]!;
  const fence = openFence(open)!;
  const hasClose = block.lines.length > 1 && closesFence(last, fence);
  const close = hasClose ? last.trim() : fence.char.repeat(fence.length);
  const body = block.lines.slice(1, hasClose ? -1 : undefined);
  const wrapTokens = countTokens(`${open}\n\n${close}`);
  const limit = Math.max(1, budget.pack - wrapTokens);
  const wrap = (texts: string[], tokens: number): Unit => ({
    text: `${open}\n${texts.join('\n')}\n${close}`,
    tokens: wrapTokens + tokens,
    sep: '\n\n',
    prose: false,
  });
  const lines = body.map((line) => ({ text: line, tokens: countTokens(line) + SEPARATOR_TOKENS }));
  return packGreedy(lines, {
    limit,
    group: wrap,
    alone: (line, tokens) => (tokens > limit ? wordWindows(line, limit).map((piece) => wrap([piece.text], piece.tokens)) : null),
  });
}

/** How packGreedy groups parts. */
interface Packing<T> {
  /** Tokens a group may hold. */
  limit: number;
  /** What the texts of a group become. */
  group: (texts: string[], tokens: number) => T;
  /** What a part becomes on its own, outside any group; null to pack it as usual. */
  alone: (text: string, tokens: number) => T[] | null;
}

/** Consecutive parts packed greedily into groups of at most `limit` tokens, in order. */
function packGreedy<T>(parts: { text: string; tokens: number }[], packing: Packing<T>): T[] {
  const out: T[] = [];
  let texts: string[] = [];
  let total = 0;
  const flush = (): void => {
    if (texts.length > 0) out.push(packing.group(texts, total));
    texts = [];
    total = 0;
  };
  for (const { text, tokens } of parts) {
    const single = packing.alone(text, tokens);
    if (single !== null) {
      flush();
      out.push(...single);
      continue;
    }
    if (texts.length > 0 && total + tokens > packing.limit) flush();
    texts.push(text);
    total += tokens;
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
  return packGreedy<Piece>(words, {
    limit,
    group: (texts, tokens) => ({ text: texts.join(' '), tokens }),
    alone: (word, tokens) => (tokens > limit ? tokenWindows(word, limit) : null),
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
