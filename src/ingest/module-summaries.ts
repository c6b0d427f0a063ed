import type pg from 'pg';
import { encodeVector } from '../db/vector-binary.js';
import type { Embedder } from '../llm/embeddings/embedder.js';
import { truncateToTokens } from '../llm/tokens.js';
import type { ModuleManifest } from './load/document-loader.js';
import { sha256Hex } from '../lib/sha256.js';

const SELECT_MODULE_SOURCES = `
  SELECT module, count(*)::int AS documents, array_agg(title ORDER BY title) AS titles,
         md5(string_agg(content_hash, ',' ORDER BY source_id)) AS sources_hash
  FROM llm_assistant.sources WHERE source_kind = 'doc' AND module IS NOT NULL GROUP BY module`;
const SELECT_SUMMARIES = `SELECT name, title, description, content_hash FROM llm_assistant.module_summaries`;
const UPSERT_SUMMARY = `
  INSERT INTO llm_assistant.module_summaries (name, title, description, summary, document_count, content_hash, embedding, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, now())
  ON CONFLICT (name) DO UPDATE SET title = $2, description = $3, summary = $4, document_count = $5,
    content_hash = $6, embedding = $7, updated_at = now()`;
const DELETE_ABSENT = `DELETE FROM llm_assistant.module_summaries WHERE NOT (name = ANY ($1))`;

// Enough for the manifest and a few dozen titles; more would drown the description.
const SUMMARY_TOKENS = 400;

export interface ModuleSummaryChanges {
  updated: string[];
  deleted: number;
  embeddingCalls: number;
}

/**
 * Rebuilds `module_summaries` from the documents of each module and its manifest
 * (title, description). A summary is re-embedded only when its text inputs changed.
 */
export async function refreshModuleSummaries(
  pool: pg.Pool,
  embedder: Embedder,
  manifests: ReadonlyMap<string, ModuleManifest>,
): Promise<ModuleSummaryChanges> {
  const [{ rows: modules }, { rows: existing }] = await Promise.all([
    pool.query<{ module: string; documents: number; titles: string[]; sources_hash: string }>(SELECT_MODULE_SOURCES),
    pool.query<{ name: string; title: string; description: string; content_hash: string }>(SELECT_SUMMARIES),
  ]);
  const stored = new Map(existing.map((row) => [row.name, row]));
  const changed: { name: string; title: string; description: string; summary: string; documents: number; hash: string }[] = [];
  for (const module of modules) {
    const manifest = manifests.get(module.module);
    const title = manifest?.title ?? stored.get(module.module)?.title ?? humanise(module.module);
    const description = manifest?.description ?? stored.get(module.module)?.description ?? '';
    const summary = truncateToTokens(
      `${title}. ${description}\nDocuments: ${module.titles.join('; ')}.`,
      SUMMARY_TOKENS,
    );
    const hash = sha256Hex(summary);
    if (stored.get(module.module)?.content_hash === hash) continue;
    changed.push({ name: module.module, title, description, summary, documents: module.documents, hash });
  }

  let embeddingCalls = 0;
  if (changed.length > 0) {
    const result = await embedder.embedDocuments(changed.map((module) => module.summary));
    embeddingCalls = result.calls;
    for (const [index, module] of changed.entries()) {
      await pool.query(UPSERT_SUMMARY, [
        module.name,
        module.title,
        module.description,
        module.summary,
        module.documents,
        module.hash,
        encodeVector(result.vectors[index]!),
      ]);
    }
  }
  const { rowCount } = await pool.query(DELETE_ABSENT, [modules.map((module) => module.module)]);
  return { updated: changed.map((module) => module.name), deleted: rowCount ?? 0, embeddingCalls };
}

function humanise(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
