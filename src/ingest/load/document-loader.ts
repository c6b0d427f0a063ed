import { opendir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { SourceDocument } from '../types.js';
import { parseHtmlSource } from './html.loader.js';
import { parseMarkdownSource, type ParsedSource } from './markdown.loader.js';
import { parseTextSource } from './text.loader.js';
import { isWithin, realPathOrNull } from '../../lib/paths.js';
import { sha256Hex } from '../../lib/sha256.js';

/** File extensions the loader reads (lower case); everything else is not ingested. */
export const SUPPORTED_EXTENSIONS: ReadonlySet<string> = new Set(['.md', '.markdown', '.txt', '.html', '.htm']);

/** The optional per-folder description of a module. */
export const MODULE_MANIFEST_FILE = '_module.json';

export type LoadSkipReason = 'empty' | 'binary' | 'unsupported' | 'unreadable' | 'outside_folder';

/** Why a symbolic link in the folder was not followed. */
export type LinkSkipReason = 'symlink' | 'symlink_outside_folder';

export type LoadResult =
  | { ok: true; document: SourceDocument }
  | { ok: false; path: string; reason: LoadSkipReason; message: string };

export interface LoadOptions {
  /** Overrides the module from front matter and from the folder. */
  module?: string;
}

const moduleManifestSchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('Module id, as stored on every chunk'),
    title: z.string().trim().min(1).max(200).optional().describe('Human-readable module name'),
    description: z.string().trim().max(2000).optional(),
  })
  .strict();

export type ModuleManifest = z.infer<typeof moduleManifestSchema>;

/** Binary sniffing looks at the start only, as git and file(1) do. */
const SNIFF_BYTES = 8 * 1024;

/**
 * Reads one file into a SourceDocument. Files that cannot become a document (empty,
 * binary, unsupported, unreadable, bad front matter) are reported, never thrown, so
 * one bad file does not stop an ingestion run.
 */
export async function loadDocumentFile(rootDir: string, absolutePath: string, options: LoadOptions = {}): Promise<LoadResult> {
  const root = path.resolve(rootDir);
  const file = path.resolve(absolutePath);
  const relative = path.relative(root, file).split(path.sep).join('/');
  const skip = (reason: LoadSkipReason, message: string): LoadResult => ({ ok: false, path: file, reason, message });

  if (relative.length === 0 || relative.startsWith('../') || relative === '..' || path.isAbsolute(relative)) {
    return skip('unsupported', `${file} is not inside ${root}`);
  }
  const extension = path.extname(file).toLowerCase();
  if (!SUPPORTED_EXTENSIONS.has(extension)) {
    return skip('unsupported', `${relative}: unsupported file type '${extension || '(none)'}'`);
  }

  // The real path, not the walked one, is what gets read: a folder on the way may have
  // become a link to somewhere else since the walk.
  const real = await realPathOrNull(file);
  if (real === null) return skip('unreadable', `${relative}: no such file`);
  if (!isWithin((await realPathOrNull(root)) ?? root, real)) return skip('outside_folder', `${relative}: leads outside the indexed folder`);
  let bytes: Buffer;
  try {
    bytes = await readFile(real);
  } catch (error) {
    return skip('unreadable', `${relative}: ${describeError(error)}`);
  }
  const text = decodeText(bytes);
  if (text === null) return skip('binary', `${relative}: binary content (NUL byte or invalid UTF-8)`);

  let parsed: ParsedSource;
  try {
    parsed = parseByExtension(extension, text, path.basename(file));
  } catch (error) {
    return skip('unreadable', `${relative}: cannot parse: ${describeError(error)}`);
  }
  if (parsed.body.trim().length === 0) return skip('empty', `${relative}: no content`);

  const sourceId = relative.slice(0, relative.length - extension.length);
  const folder = relative.includes('/') ? relative.slice(0, relative.indexOf('/')) : null;
  const module = nonEmpty(options.module) ?? parsed.module ?? folder;
  const { title, url, body, metadata } = parsed;
  return {
    ok: true,
    document: {
      sourceKind: 'doc',
      sourceId,
      uri: relative,
      module,
      title,
      url,
      body,
      contentHash: contentHash({ title, module, url, body, metadata }),
      metadata,
      patientId: null,
      allowedDoctorIds: [],
    },
  };
}

export interface WalkOptions {
  /** Called with each symbolic link met (absolute path); links are never followed. */
  onLink?: (linkPath: string) => void;
}

/**
 * Yields the supported files under rootDir (absolute paths), depth first in code-unit
 * order of names, so two runs see the same order. Skips dot-files and dot-folders,
 * node_modules, the module manifest and symbolic links (which could loop, or lead out of
 * the folder: `onLink` hears of them). Reads one directory listing at a time instead of
 * collecting the tree.
 */
export async function* walkDocumentFiles(rootDir: string, options: WalkOptions = {}): AsyncGenerator<string> {
  yield* walk(path.resolve(rootDir), options);
}

async function* walk(dir: string, options: WalkOptions): AsyncGenerator<string> {
  const entries: { name: string; isDir: boolean }[] = [];
  const links: string[] = [];
  for await (const entry of await opendir(dir)) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === MODULE_MANIFEST_FILE) continue;
    if (entry.isDirectory()) entries.push({ name: entry.name, isDir: true });
    else if (entry.isFile() && SUPPORTED_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
      entries.push({ name: entry.name, isDir: false });
    } else if (entry.isSymbolicLink()) links.push(entry.name);
  }
  // Plain code-unit order: localeCompare would depend on the ICU build and locale.
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const name of links.sort(byName)) options.onLink?.(path.join(dir, name));
  entries.sort((a, b) => byName(a.name, b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDir) yield* walk(full, options);
    else yield full;
  }
}

/**
 * Why a symbolic link under rootDir is skipped, or null when it would not be read anyway
 * (a file link with an unsupported name). The target is not named: it may be anywhere
 * on the server.
 */
export async function describeSkippedLink(rootDir: string, linkPath: string): Promise<{ reason: LinkSkipReason; message: string } | null> {
  const relative = path.relative(rootDir, linkPath).split(path.sep).join('/');
  const target = await realPathOrNull(linkPath);
  if (target === null) return { reason: 'symlink', message: `${relative}: broken symbolic link` };
  const isDir = (await stat(target).catch(() => null))?.isDirectory() ?? false;
  // By the link's own name, as a file is picked by its name.
  if (!isDir && !SUPPORTED_EXTENSIONS.has(path.extname(linkPath).toLowerCase())) return null;
  const root = (await realPathOrNull(rootDir)) ?? rootDir;
  return isWithin(root, target)
    ? { reason: 'symlink', message: `${relative}: symbolic link, not followed (its target in the folder is indexed as itself)` }
    : { reason: 'symlink_outside_folder', message: `${relative}: symbolic link leading outside the indexed folder, not followed` };
}

/**
 * Reads `_module.json` in dir: null when there is none; a ValidationError naming the
 * file when it is not JSON, does not match {name, title?, description?}, or is a link
 * that leads out of the folder `within`.
 */
export async function readModuleManifest(dir: string, within: string = dir): Promise<ModuleManifest | null> {
  const file = path.join(path.resolve(dir), MODULE_MANIFEST_FILE);
  const real = await realPathOrNull(file);
  if (real === null) return null;
  // A manifest linked to a file elsewhere would have its content quoted in the error below.
  if (!isWithin((await realPathOrNull(within)) ?? path.resolve(within), real)) {
    throw new ValidationError(`Module manifest ${file} is a link leading outside the indexed folder.`, { code: 'invalid_module_manifest' });
  }
  let raw: string;
  try {
    raw = await readFile(real, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return null;
    throw new ValidationError(`Cannot read module manifest ${file}: ${describeError(error)}`, {
      code: 'invalid_module_manifest',
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ValidationError(`Module manifest ${file} is not valid JSON: ${describeError(error)}`, {
      code: 'invalid_module_manifest',
      cause: error,
    });
  }
  const result = moduleManifestSchema.safeParse(json);
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    throw new ValidationError(`Invalid module manifest ${file}: ${summary}`, {
      code: 'invalid_module_manifest',
      details,
      cause: result.error,
    });
  }
  return result.data;
}

/**
 * sha256 (hex) of a canonical JSON of everything that shapes the chunks, so an edit
 * to any of them changes it and nothing else (path, mtime, key order) does.
 */
export function contentHash(fields: {
  title: string;
  module: string | null;
  url: string | null;
  body: string;
  metadata: Record<string, unknown>;
}): string {
  return sha256Hex(canonicalJson(fields));
}

/** JSON with object keys sorted at every level. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function parseByExtension(extension: string, text: string, fileName: string): ParsedSource {
  switch (extension) {
    case '.md':
    case '.markdown':
      return parseMarkdownSource(text, fileName);
    case '.html':
    case '.htm':
      return parseHtmlSource(text, fileName);
    default:
      return parseTextSource(text, fileName);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text, or null when the bytes look binary: a NUL early on, or invalid UTF-8. */
function decodeText(bytes: Buffer): string | null {
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return null;
  try {
    return utf8.decode(bytes); // also drops a UTF-8 byte order mark
  } catch {
    return null;
  }
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
