import type pg from 'pg';
import { withTransaction } from '../db/database.js';
import { OperatorError } from '../errors.js';
import type { Embedder } from '../llm/embeddings/embedder.js';
import { CHUNKER_VERSION } from './chunk/markdown-chunker.js';

/** The stored vectors come from another embedding model than the one configured. */
export class IndexMismatchError extends OperatorError {}

export interface IndexState {
  embeddingModel: string;
  embeddingDimensions: number;
  generation: number;
}

const SELECT_STATE = `SELECT embedding_model, embedding_dimensions, generation FROM llm_assistant.index_state`;
const INSERT_STATE = `
  INSERT INTO llm_assistant.index_state (embedding_model, embedding_dimensions, chunker_version)
  VALUES ($1, $2, $3) ON CONFLICT (singleton) DO NOTHING`;
const COUNT_CHUNKS = `SELECT EXISTS (SELECT 1 FROM llm_assistant.docs_chunks) AS any`;

/**
 * Records the embedding model with the index on first use, and refuses to go on with
 * another model: mixing vectors of two models makes every similarity meaningless.
 * An empty index simply adopts the configured model.
 */
export async function ensureIndexState(pool: pg.Pool, embedder: Embedder): Promise<IndexState> {
  await pool.query(INSERT_STATE, [embedder.model, embedder.dimensions, CHUNKER_VERSION]);
  const state = await readIndexState(pool);
  if (state.embeddingModel === embedder.model && state.embeddingDimensions === embedder.dimensions) return state;
  const { rows } = await pool.query<{ any: boolean }>(COUNT_CHUNKS);
  if (!rows[0]?.any) return resetIndex(pool, embedder);
  throw new IndexMismatchError(
    `The index was built with ${state.embeddingModel} (${state.embeddingDimensions} dimensions) but the service is ` +
      `configured for ${embedder.model} (${embedder.dimensions}). Re-index with the new model: ` +
      '`npm run ingest -- docs <folder> --rebuild` (records must be pushed again), or restore the previous configuration.',
  );
}

export async function readIndexState(db: Pick<pg.Pool, 'query'>): Promise<IndexState> {
  const { rows } = await db.query<{ embedding_model: string; embedding_dimensions: number; generation: number }>(SELECT_STATE);
  const row = rows[0];
  if (!row) return { embeddingModel: '', embeddingDimensions: 0, generation: 0 };
  return { embeddingModel: row.embedding_model, embeddingDimensions: row.embedding_dimensions, generation: row.generation };
}

/**
 * Empties the index for a new embedding model: every chunk, source, module summary and
 * cached answer goes, and the generation moves on so no cache key of the old index matches.
 */
export async function resetIndex(pool: pg.Pool, embedder: Embedder): Promise<IndexState> {
  return withTransaction(pool, async (client) => {
    await client.query('DELETE FROM llm_assistant.sources');
    await client.query('DELETE FROM llm_assistant.module_summaries');
    await client.query('DELETE FROM llm_assistant.query_cache');
    await client.query(
      `INSERT INTO llm_assistant.index_state (embedding_model, embedding_dimensions, chunker_version)
       VALUES ($1, $2, $3)
       ON CONFLICT (singleton) DO UPDATE SET embedding_model = $1, embedding_dimensions = $2, chunker_version = $3,
         generation = llm_assistant.index_state.generation + 1, updated_at = now()`,
      [embedder.model, embedder.dimensions, CHUNKER_VERSION],
    );
    return readIndexState(client);
  });
}
