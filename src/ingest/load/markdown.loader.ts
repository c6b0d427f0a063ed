import matter from 'gray-matter';
import type { Heading, RootContent } from 'mdast';
import { headingText, parseMarkdown } from '../chunk/markdown-sections.js';

/** What a format loader extracts from a file; document-loader.ts adds identity and hash. */
export interface ParsedSource {
  title: string;
  /** From front matter; the caller falls back to the option or the folder. */
  module: string | null;
  url: string | null;
  body: string;
  metadata: Record<string, unknown>;
}

/**
 * Markdown with optional YAML front matter: `title`, `module` and `url` become fields,
 * every other key goes to metadata. Throws when the front matter is not valid YAML.
 */
export function parseMarkdownSource(text: string, fileName: string): ParsedSource {
  // Any options object bypasses gray-matter's global cache keyed by file content,
  // which would otherwise hold every file of a corpus for the life of the process.
  const parsed = matter(normaliseNewlines(text), { excerpt: false });
  const { title, module, url, ...rest } = parsed.data as Record<string, unknown>;
  const { title: resolvedTitle, body } = resolveTitle(parsed.content, scalar(title), fileName);
  return {
    title: resolvedTitle,
    module: scalar(module),
    url: scalar(url),
    body,
    metadata: toJsonObject(rest),
  };
}

/**
 * Title: the given one, else the first level-1 heading, else the file name humanised.
 * A leading level-1 heading equal to the title is dropped: the title travels separately.
 */
export function resolveTitle(markdown: string, explicitTitle: string | null, fileName: string): { title: string; body: string } {
  const title = explicitTitle ?? firstH1(markdown) ?? humaniseFileName(fileName);
  const lead = leadingBlock(markdown);
  const drop = isH1(lead) && headingText(lead) === collapse(title);
  return { title, body: tidyBody(drop ? markdown.slice(lead.position!.end.offset) : markdown) };
}

/** `no-show-policy.txt` -> "No show policy". */
export function humaniseFileName(fileName: string): string {
  const stem = fileName.replace(/\.[^.]+$/, '');
  const words = stem.replace(/[-_\s]+/g, ' ').trim();
  if (words.length === 0) return stem;
  return words[0]!.toUpperCase() + words.slice(1);
}

/** CRLF and lone CR to LF, so a checkout's line endings never change a content hash. */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Drops blank lines at the start, trailing whitespace at the end of lines and of the body. */
export function tidyBody(text: string): string {
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/^\n+/, '')
    .replace(/\s+$/, '');
}

function firstH1(markdown: string): string | null {
  for (const node of parseMarkdown(markdown).children) {
    const text = isH1(node) ? headingText(node) : '';
    if (text.length > 0) return text;
  }
  return null;
}

/** The first block alone, parsed from the text before the first blank line: no heading spans one. */
function leadingBlock(markdown: string): RootContent | undefined {
  const start = markdown.search(/\S/);
  if (start < 0) return undefined;
  const blank = markdown.slice(start).search(/\n[ \t]*\n/);
  return parseMarkdown(blank < 0 ? markdown : markdown.slice(0, start + blank)).children[0];
}

function isH1(node: RootContent | undefined): node is Heading {
  return node?.type === 'heading' && node.depth === 1;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return collapse(value) || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** YAML may hold dates and other non-JSON values; metadata is stored as jsonb. */
function toJsonObject(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
