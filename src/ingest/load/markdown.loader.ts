import matter from 'gray-matter';

/** What a format loader extracts from a file; document-loader.ts adds identity and hash. */
export interface ParsedSource {
  title: string;
  /** From front matter; the caller falls back to the option or the folder. */
  module: string | null;
  url: string | null;
  body: string;
  metadata: Record<string, unknown>;
}

const H1 = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

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
 * Title: the given one, else the first `# ` heading, else the file name humanised.
 * A leading `# Title` line equal to the title is dropped: the title travels separately.
 */
export function resolveTitle(markdown: string, explicitTitle: string | null, fileName: string): { title: string; body: string } {
  const lines = markdown.split('\n');
  const title = explicitTitle ?? firstH1(lines) ?? humaniseFileName(fileName);
  const first = lines.findIndex((line) => line.trim().length > 0);
  const heading = first >= 0 ? H1.exec(lines[first]!) : null;
  if (heading !== null && collapse(heading[1]!) === collapse(title)) lines.splice(0, first + 1);
  return { title, body: tidyBody(lines.join('\n')) };
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

function firstH1(lines: string[]): string | null {
  let fence: string | null = null;
  for (const line of lines) {
    const marker = FENCE.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const heading = H1.exec(line);
    if (heading !== null) return collapse(heading[1]!);
  }
  return null;
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
