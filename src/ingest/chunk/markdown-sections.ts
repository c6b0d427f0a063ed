import type { Code, Heading, List, Nodes, Root, RootContent, Table, TableCell } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

/** A top-level block of a section; `text` is its Markdown exactly as written. */
export type MarkdownBlock =
  | { kind: 'prose'; text: string }
  /** `items`: each item as written, nested lists and code included. */
  | { kind: 'list'; text: string; items: string[] }
  /** `header`: the header row and the delimiter row, as written. */
  | { kind: 'table'; text: string; header: string; columns: string[]; rows: TableRow[] }
  /** `fence`: null for an indented code block. */
  | { kind: 'code'; text: string; fence: { open: string; close: string } | null; lines: string[] };

export interface TableRow {
  text: string;
  cells: string[];
}

/** The blocks under one heading, with the path of headings above them (title first). */
export interface MarkdownSection {
  path: string[];
  blocks: MarkdownBlock[];
}

const processor = unified().use(remarkParse).use(remarkGfm).freeze();

/** CommonMark + GFM syntax tree; node positions are offsets into `markdown`. */
export function parseMarkdown(markdown: string): Root {
  return processor.parse(markdown);
}

/** A heading's plain text (`## The *acute* phase ##` -> "The acute phase"). */
export function headingText(heading: Heading): string {
  return toString(heading).replace(/\s+/g, ' ').trim();
}

/**
 * A Markdown body as sections: a new section at every top-level heading (ATX or setext),
 * its path the title and the headings above it. A level-1 heading equal to the title
 * is the document itself, not a subsection. Sections may have no blocks.
 */
export function splitSections(body: string, title: string): MarkdownSection[] {
  const source = body.replace(/\r\n?/g, '\n');
  const sections: MarkdownSection[] = [];
  const stack: { depth: number; text: string }[] = [];
  const pathNow = (): string[] => [title, ...stack.map((h) => h.text)].filter((h) => h.length > 0);
  let current: MarkdownSection = { path: pathNow(), blocks: [] };

  for (const node of parseMarkdown(source).children) {
    if (node.type !== 'heading' || spansLines(node)) {
      const block = toBlock(node, source);
      if (block !== null) current.blocks.push(block);
      continue;
    }
    sections.push(current);
    const text = headingText(node);
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= node.depth) stack.pop();
    if (!(node.depth === 1 && stack.length === 0 && text === title)) stack.push({ depth: node.depth, text });
    current = { path: pathNow(), blocks: [] };
  }
  sections.push(current);
  return sections;
}

/**
 * A setext heading over several lines is in practice a paragraph above a stray `-` or
 * `=` line (a list marker with nothing after it), so it stays text.
 */
function spansLines(heading: Heading): boolean {
  return heading.position!.end.line - heading.position!.start.line > 1;
}

/** The Markdown of a node as written (from its first character, trailing blanks dropped). */
export function sourceOf(node: Nodes, source: string): string {
  return source.slice(node.position!.start.offset, node.position!.end.offset).trimEnd();
}

function toBlock(node: RootContent, source: string): MarkdownBlock | null {
  // A rule, or a list of empty items (`-` alone on a line), says nothing to search for.
  if (node.type === 'thematicBreak' || (node.type === 'list' && toString(node).trim().length === 0)) return null;
  const text = sourceOf(node, source);
  switch (node.type) {
    case 'list':
      return listBlock(node, source, text);
    case 'table':
      return tableBlock(node, source, text);
    case 'code':
      return codeBlock(node, text);
    default:
      return { kind: 'prose', text };
  }
}

function listBlock(list: List, source: string, text: string): MarkdownBlock {
  return { kind: 'list', text, items: list.children.map((item) => sourceOf(item, source)) };
}

function tableBlock(table: Table, source: string, text: string): MarkdownBlock {
  const [headerRow, ...rows] = table.children;
  const start = table.position!.start.offset!;
  const headerEnd = rows[0]?.position!.start.offset ?? table.position!.end.offset!;
  return {
    kind: 'table',
    text,
    header: source.slice(start, headerEnd).trimEnd(),
    columns: headerRow!.children.map((cell) => cellText(cell, source)),
    rows: rows.map((row) => ({ text: sourceOf(row, source), cells: row.children.map((cell) => cellText(cell, source)) })),
  };
}

/** A cell's Markdown without its pipes; an escaped pipe is a pipe again. */
function cellText(cell: TableCell, source: string): string {
  const first = cell.children[0];
  const last = cell.children[cell.children.length - 1];
  if (first === undefined || last === undefined) return '';
  return source.slice(first.position!.start.offset, last.position!.end.offset).replace(/\\\|/g, '|').trim();
}

const FENCE = /^(`{3,}|~{3,})/;

function codeBlock(code: Code, text: string): MarkdownBlock {
  const lines = text.split('\n');
  const marker = FENCE.exec(lines[0]!)?.[1];
  if (marker === undefined) return { kind: 'code', text, fence: null, lines };
  const last = lines[lines.length - 1]!.trim();
  // An unclosed fence runs to the end of the document; its pieces get a closing one.
  const closed = lines.length > 1 && last.length >= marker.length && [...last].every((ch) => ch === marker[0]);
  return {
    kind: 'code',
    text,
    fence: { open: lines[0]!, close: closed ? last : marker },
    lines: code.value.split('\n'),
  };
}
