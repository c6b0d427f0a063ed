import type pg from 'pg';
import { PGVectorStore } from '@langchain/community/vectorstores/pgvector';
import { FakeEmbeddings } from '@langchain/core/utils/testing';
import { encodeVector } from '../../src/db/vector-binary.js';
import { binary, copyBinary, type BinaryField } from './binary-copy.js';
import { syntheticText, type ClusteredVectors } from './lib.js';

/**
 * The synthetic corpus the search and ingest benchmarks share: chunk i belongs to source
 * floor(i / 10); every 100th source is in module `rare`, so the `rare` filter matches 1%
 * of the rows; the others spread over six ordinary modules.
 */
export const CHUNKS_PER_SOURCE = 10;
export const RARE_MODULE = 'rare';
export const COLLECTION = 'bench/synthetic';
export const LANGCHAIN_TABLE = 'langchain_chunks';

export const sourceIdOf = (chunk: number) => `source-${Math.floor(chunk / CHUNKS_PER_SOURCE)}`;
export const moduleOfSource = (source: number) => (source % 100 === 0 ? RARE_MODULE : `module-${source % 6}`);
export const moduleOf = (chunk: number) => moduleOfSource(Math.floor(chunk / CHUNKS_PER_SOURCE));
export const chunkIdOf = (chunk: number) => `chunk-${String(chunk).padStart(8, '0')}`;

export interface SyntheticChunk {
  index: number;
  id: string;
  sourceId: string;
  module: string;
  content: string;
  embedding: Float32Array;
}

export function syntheticChunk(vectors: ClusteredVectors, index: number): SyntheticChunk {
  return {
    index,
    id: chunkIdOf(index),
    sourceId: sourceIdOf(index),
    module: moduleOf(index),
    content: syntheticText(index),
    embedding: vectors.vector('row', index).values,
  };
}

export function* syntheticChunks(vectors: ClusteredVectors, from: number, to: number): Generator<SyntheticChunk> {
  for (let index = from; index < to; index++) yield syntheticChunk(vectors, index);
}

/** The `llm_assistant.sources` rows of chunks [from, to) (from a multiple of CHUNKS_PER_SOURCE), by binary COPY. */
export async function copySources(client: pg.PoolClient, from: number, to: number): Promise<void> {
  const rows: BinaryField[][] = [];
  for (let s = from / CHUNKS_PER_SOURCE; s * CHUNKS_PER_SOURCE < to; s++) {
    const id = `source-${s}`;
    rows.push([binary.text('doc'), binary.text(COLLECTION), binary.text(id), binary.text(`${id}.md`), binary.text(moduleOfSource(s)),
      binary.text(`Source ${s}`), binary.text(id), binary.int4(Math.min(CHUNKS_PER_SOURCE, to - s * CHUNKS_PER_SOURCE))]);
  }
  await copyBinary(client, 'llm_assistant.sources (source_kind, collection, source_id, uri, module, title, content_hash, chunk_count)', rows);
}

/** The same columns the project's writer fills, in binary COPY form. */
export const DOCS_CHUNKS_COPY_TARGET =
  'llm_assistant.docs_chunks (id, source_kind, collection, source_id, source_uri, module, title, heading_path, heading, ' +
  'chunk_index, content, content_hash, token_count, metadata, embedding)';

export function docsChunkFields(chunk: SyntheticChunk): BinaryField[] {
  const title = `Source ${chunk.sourceId.slice(7)}`;
  return [
    binary.text(chunk.id), binary.text('doc'), binary.text(COLLECTION), binary.text(chunk.sourceId), binary.text(`${chunk.sourceId}.md`),
    binary.text(chunk.module), binary.text(title), binary.textArray([title]), binary.text(''), binary.int4(chunk.index % CHUNKS_PER_SOURCE),
    binary.text(chunk.content), binary.text(chunk.id), binary.int4(100), binary.jsonb({}), encodeVector(chunk.embedding),
  ];
}

/** LangChain's own layout: (id uuid default, text, metadata jsonb, embedding); our chunk id goes in the metadata. */
export const LANGCHAIN_COPY_TARGET = `${LANGCHAIN_TABLE} (text, metadata, embedding)`;

export function langchainFields(chunk: SyntheticChunk): BinaryField[] {
  return [binary.text(chunk.content), binary.jsonb(langchainMetadata(chunk)), encodeVector(chunk.embedding)];
}

export const langchainMetadata = (chunk: SyntheticChunk) => ({ chunkId: chunk.id, module: chunk.module });

/**
 * LangChain's PGVectorStore as its documentation sets it up, on its own table in the
 * benchmark database. FakeEmbeddings: the benchmarks pass precomputed vectors only.
 */
export async function openLangchainStore(pool: pg.Pool): Promise<PGVectorStore> {
  return PGVectorStore.initialize(new FakeEmbeddings(), {
    pool,
    tableName: LANGCHAIN_TABLE,
    dimensions: 1536,
    distanceStrategy: 'cosine',
  });
}
