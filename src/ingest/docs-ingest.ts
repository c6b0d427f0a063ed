import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../errors.js';
import { describeSkippedLink, loadDocumentFile, readModuleManifest, walkDocumentFiles, type ModuleManifest } from './load/document-loader.js';
import { refreshModuleSummaries } from './module-summaries.js';
import { SourceIndexer, type IndexerDependencies, type IndexProgress, type IndexSummary } from './source-indexer.js';

export interface DocsIngestRequest {
  rootDir: string;
  /** Every document goes to this module (else: front matter, then first folder). */
  module?: string;
  /** What this folder is called in the index; defaults from the folder path. */
  collection?: string;
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress & { documentsTotal: number }) => void;
}

export interface DocsIngestSummary extends IndexSummary {
  modules: { updated: string[]; deleted: number };
}

const COLLECTION_PATTERN = /^[\w.-]+(\/[\w.-]+)?$/;

/**
 * Names a folder's collection by its last two path segments (`examples/docs`,
 * `medquad/docs`): stable across machines and checkouts, distinct for the usual layouts.
 */
export function defaultCollectionName(rootDir: string): string {
  const parts = path.resolve(rootDir).split(path.sep).filter(Boolean);
  return parts.slice(-2).join('/');
}

/**
 * Indexes a documentation folder incrementally: unchanged files cost nothing, edited
 * ones are re-chunked and only their new chunks embedded, deleted ones disappear.
 * Folders map to modules; `_module.json` in a module folder describes the module.
 */
export async function ingestDocsFolder(deps: IndexerDependencies, request: DocsIngestRequest): Promise<DocsIngestSummary> {
  const rootDir = path.resolve(request.rootDir);
  const collection = request.collection ?? defaultCollectionName(rootDir);
  if (!COLLECTION_PATTERN.test(collection)) {
    throw new ValidationError(`Collection name "${collection}" must be one or two segments of letters, digits, . _ -`, {
      code: 'invalid_collection',
    });
  }
  const manifests = await readManifests(rootDir, request.module);
  const documentsTotal = await countFiles(rootDir);
  const indexer = new SourceIndexer(deps, { sourceKind: 'doc', collection }, {
    signal: request.signal,
    onProgress: (progress) => request.onProgress?.({ ...progress, documentsTotal }),
    expectedSources: documentsTotal,
  });
  const links: string[] = [];
  try {
    for await (const file of walkDocumentFiles(rootDir, { onLink: (link) => links.push(link) })) {
      const loaded = await loadDocumentFile(rootDir, file, request.module ? { module: request.module } : {});
      if (loaded.ok) await indexer.add(loaded.document);
      else indexer.skip({ path: path.relative(rootDir, loaded.path), reason: loaded.reason, message: loaded.message });
    }
    // Links are not followed; the report says so, and which of them lead out of the folder.
    for (const link of links) {
      const skipped = await describeSkippedLink(rootDir, link);
      if (skipped) indexer.skip({ path: path.relative(rootDir, link), ...skipped });
    }
  } catch (error) {
    await indexer.abandon();
    throw error;
  }
  const summary = await indexer.finish();
  const modules = await refreshModuleSummaries(deps.pool, deps.embedder, manifests);
  return {
    ...summary,
    embeddingCalls: summary.embeddingCalls + modules.embeddingCalls,
    modules: { updated: modules.updated, deleted: modules.deleted },
  };
}

/** Manifests of the module folders (first level), or of the root when it is one module. */
async function readManifests(rootDir: string, moduleOverride: string | undefined): Promise<Map<string, ModuleManifest>> {
  const manifests = new Map<string, ModuleManifest>();
  const rootManifest = await readModuleManifest(rootDir, rootDir);
  if (rootManifest) manifests.set(moduleOverride ?? rootManifest.name, rootManifest);
  if (moduleOverride) return manifests;
  for (const entry of await readdir(rootDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const manifest = await readModuleManifest(path.join(rootDir, entry.name), rootDir);
    // The folder name is the module of its documents; the manifest describes it.
    if (manifest) manifests.set(entry.name, manifest);
  }
  return manifests;
}

async function countFiles(rootDir: string): Promise<number> {
  let count = 0;
  for await (const _file of walkDocumentFiles(rootDir)) count += 1;
  return count;
}
