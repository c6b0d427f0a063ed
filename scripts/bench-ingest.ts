import type pg from 'pg';
import { Document } from '@langchain/core/documents';
import { withTransaction } from '../src/db/database.js';
import { WRITE_CONNECTIONS, writeSources, writeSourcesConcurrently, type PreparedSource } from '../src/ingest/index.repository.js';
import { copyBinary } from './bench/binary-copy.js';
import { ClusteredVectors, freshDatabase, peakRssMb, resetPeakRss, round, timed, type BenchOptions, type BenchReport } from './bench/lib.js';
import {
  CHUNKS_PER_SOURCE,
  COLLECTION,
  DOCS_CHUNKS_COPY_TARGET,
  LANGCHAIN_COPY_TARGET,
  copySources,
  docsChunkFields,
  langchainFields,
  langchainMetadata,
  moduleOf,
  openLangchainStore,
  syntheticChunks,
  type SyntheticChunk,
} from './bench/synthetic-corpus.js';

/** Chunks per write: what SourceIndexer flushes per transaction (64 sources or ~1024 chunks). */
const BATCH = 1_000;
const MAINTENANCE_WORK_MEM = '2GB';

interface LoadResult {
  name: string;
  rows: number;
  ms: number;
}

/**
 * `npm run bench -- ingest [--size N]`: N chunks with precomputed vectors loaded through
 * the project's writer (one transaction on one connection, writeSources, and the batch
 * over two connections, as the ingest writes it: writeSourcesConcurrently), LangChain's
 * PGVectorStore.addVectors (its defaults: one connection), and a raw
 * binary COPY (the ceiling), each into a table without its HNSW index; then the HNSW
 * build. Only the loading is timed: vectors are generated outside the clock.
 */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const size = options.size ?? 100_000;
  const withIndexSize = Math.max(BATCH, Math.floor(size / 50));
  const vectors = new ClusteredVectors(11);
  // Three databases, so that every loader writes into a table of the same size at the same moment.
  const { pool } = await freshDatabase(options.serverUrl, 'llm_bench_ingest', 4);
  const { pool: copyPool } = await freshDatabase(options.serverUrl, 'llm_bench_ingest_copy', 2);
  const { pool: singlePool } = await freshDatabase(options.serverUrl, 'llm_bench_ingest_single', 1);
  const store = await openLangchainStore(pool);
  const copyStore = await openLangchainStore(copyPool); // creates LangChain's table for the raw COPY into it
  try {
    options.log(`writer with the HNSW index in place, ${withIndexSize} chunks`);
    const withIndex: LoadResult = { name: `project writer, ${WRITE_CONNECTIONS} connections, HNSW index present`, rows: withIndexSize, ms: 0 };
    for (let from = 0; from < withIndexSize; from += BATCH) {
      const batch = [...syntheticChunks(vectors, from, Math.min(withIndexSize, from + BATCH))];
      withIndex.ms += (await timed(() => writeSourcesConcurrently(pool, TARGET, preparedSources(batch)))).ms;
    }
    await emptyIndex(pool);
    await pool.query('DROP INDEX llm_assistant.docs_chunks_embedding_hnsw');
    await copyPool.query('DROP INDEX llm_assistant.docs_chunks_embedding_hnsw');
    await singlePool.query('DROP INDEX llm_assistant.docs_chunks_embedding_hnsw');

    const loaders: { result: LoadResult; load: (batch: SyntheticChunk[]) => Promise<unknown> }[] = [
      {
        result: { name: `project writer, ${WRITE_CONNECTIONS} connections (writeSourcesConcurrently)`, rows: size, ms: 0 },
        load: (batch) => writeSourcesConcurrently(pool, TARGET, preparedSources(batch)),
      },
      {
        result: { name: 'project writer, 1 connection (writeSources)', rows: size, ms: 0 },
        load: (batch) => withTransaction(singlePool, (client) => writeSources(client, TARGET, preparedSources(batch))),
      },
      { result: { name: 'raw COPY (FORMAT BINARY)', rows: size, ms: 0 }, load: (batch) => copyBatch(copyPool, batch) },
      {
        result: { name: 'LangChain PGVectorStore.addVectors', rows: size, ms: 0 },
        load: (batch) =>
          store.addVectors(
            batch.map((chunk) => Array.from(chunk.embedding)),
            batch.map((chunk) => new Document({ pageContent: chunk.content, metadata: langchainMetadata(chunk) })),
          ),
      },
      {
        // The same COPY into LangChain's narrower table: what the table shape alone costs.
        result: { name: "raw COPY into LangChain's table", rows: size, ms: 0 },
        load: (batch) => withTransaction(copyPool, (client) => copyBinary(client, LANGCHAIN_COPY_TARGET, batch.map(langchainFields))),
      },
    ];
    options.log(`${loaders.length} loaders interleaved batch by batch, ${size} chunks each`);
    await resetPeakRss();
    for (let from = 0, turn = 0; from < size; from += BATCH, turn++) {
      const batch = [...syntheticChunks(vectors, from, Math.min(size, from + BATCH))];
      // Each batch starts with the next loader: none always runs first after a vector generation.
      for (let k = 0; k < loaders.length; k++) {
        const loader = loaders[(turn + k) % loaders.length]!;
        loader.result.ms += (await timed(() => loader.load(batch))).ms;
      }
      if (turn % 10 === 9) options.log(`${from + batch.length} chunks`);
    }
    const loadsPeakRssMb = await peakRssMb();

    options.log(`HNSW build on ${size} rows (maintenance_work_mem ${MAINTENANCE_WORK_MEM})`);
    const build = await timed(() =>
      withTransaction(pool, async (client) => {
        await client.query(`SET LOCAL maintenance_work_mem = '${MAINTENANCE_WORK_MEM}'`);
        await client.query(
          `CREATE INDEX docs_chunks_embedding_hnsw ON llm_assistant.docs_chunks
             USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
        );
      }),
    );
    return report(size, [withIndex, ...loaders.map((loader) => loader.result)], build.ms, loadsPeakRssMb);
  } finally {
    await copyStore.end();
    await singlePool.end();
    await store.end(); // ends the pool too: PGVectorStore holds one of its clients
  }
}

const TARGET = { sourceKind: 'doc', collection: COLLECTION } as const;

/** A batch as SourceIndexer hands it to the writer: its sources with their new chunks. */
function preparedSources(batch: SyntheticChunk[]): PreparedSource[] {
  const sources = new Map<string, PreparedSource>();
  for (const chunk of batch) {
    let source = sources.get(chunk.sourceId);
    if (!source) {
      source = {
        sourceId: chunk.sourceId,
        uri: `${chunk.sourceId}.md`,
        module: moduleOf(chunk.index),
        title: `Source ${chunk.sourceId.slice(7)}`,
        url: null,
        sourceHash: chunk.sourceId,
        patientId: null,
        allowedDoctorIds: [],
        metadata: {},
        chunks: [],
      };
      sources.set(chunk.sourceId, source);
    }
    source.chunks.push({
      id: chunk.id,
      chunkIndex: chunk.index % CHUNKS_PER_SOURCE,
      headingPath: [source.title],
      content: chunk.content,
      embeddingText: chunk.content,
      contentHash: chunk.id,
      tokenCount: 100,
      metadata: {},
      kept: false,
      embedding: chunk.embedding,
    });
  }
  return [...sources.values()];
}

/** The ceiling: the same rows straight into docs_chunks (sources first, for the foreign key). */
async function copyBatch(pool: pg.Pool, batch: SyntheticChunk[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await copySources(client, batch[0]!.index, batch.at(-1)!.index + 1);
    await copyBinary(client, DOCS_CHUNKS_COPY_TARGET, batch.map(docsChunkFields));
  });
}

async function emptyIndex(pool: pg.Pool): Promise<void> {
  await pool.query('TRUNCATE llm_assistant.docs_chunks, llm_assistant.sources');
}

function report(size: number, results: LoadResult[], buildMs: number, loadsPeakRssMb: number): BenchReport {
  const rate = (result: LoadResult) => result.rows / (result.ms / 1000);
  const byName = (prefix: string) => results.find((result) => result.name.startsWith(prefix))!;
  const writer = byName(`project writer, ${WRITE_CONNECTIONS} connections (`);
  const singleWriter = byName('project writer, 1 connection');
  const langchain = byName('LangChain');
  const copy = byName('raw COPY (');
  const langchainCopy = byName("raw COPY into LangChain's");
  const versusLangchain = round(rate(writer) / rate(langchain), 2);
  const versusCopy = round(rate(writer) / rate(copy), 2);
  const singleVersusLangchain = round(rate(singleWriter) / rate(langchain), 2);
  const singleVersusCopy = round(rate(singleWriter) / rate(copy), 2);
  return {
    title: `ingest: ${size.toLocaleString('en')} chunks x 1536 dims, precomputed vectors`,
    columns: ['loader', 'rows', 'seconds', 'rows/s', 'vs LangChain'],
    rows: results.map((result) => [
      result.name,
      result.rows,
      round(result.ms / 1000, 1),
      Math.round(rate(result)),
      round(rate(result) / rate(langchain), 2),
    ]),
    notes: [
      `Same rows for every loader (${BATCH} chunks = ${BATCH / CHUNKS_PER_SOURCE} sources per call, ~80-word texts, precomputed vectors), same process, same server; the ${results.length - 1} loaders below the first row take turns batch by batch (each batch starting with the next loader), so a busy moment of the shared machine falls on all of them; tables without their HNSW index except the first row; vector generation outside the clock; process peak RSS over the interleaved loads ${loadsPeakRssMb} MB.`,
      'Project writer, 1 connection: writeSources in one transaction per batch: sources upserted and chunks inserted by unnest (vectors as one binary vector[] parameter, 500 chunks a statement), stale chunks deleted. docs_chunks computes a generated tsvector (title, heading, content) and keeps a GIN and five b-tree indexes.',
      `Project writer, ${WRITE_CONNECTIONS} connections: what the ingest does outside a bulk load: the batch's sources split into ${WRITE_CONNECTIONS} groups of about as many chunks, each written as above in its own transaction, at the same time on its own pooled connection (a source is never split). The other loaders use one connection each.`,
      "LangChain: PGVectorStore.addVectors with its defaults: multi-row INSERT ... VALUES of 500 rows, vectors as text, autocommit; its table holds uuid, text, jsonb metadata and the vector (no full-text column, no GIN).",
      "Raw COPY: the same binary COPY with nothing else in the transaction (sources first, for the foreign key); into LangChain's table, it shows what the table shape alone costs.",
      `writer (${WRITE_CONNECTIONS} connections)/LangChain ${versusLangchain}x (target >= 5x), writer/COPY ${versusCopy}x (target >= 0.5x); on 1 connection ${singleVersusLangchain}x and ${singleVersusCopy}x; raw COPY into docs_chunks is ${round(rate(copy) / rate(langchain), 2)}x LangChain, into LangChain's table ${round(rate(langchainCopy) / rate(langchain), 2)}x.`,
      `HNSW build after the load (m=16, ef_construction=64, maintenance_work_mem=${MAINTENANCE_WORK_MEM}): ${round(buildMs / 1000, 1)} s for ${size.toLocaleString('en')} rows.`,
    ],
    figures: {
      size,
      batch: BATCH,
      loads: results.map((result) => ({ ...result, ms: Math.round(result.ms), rowsPerSecond: Math.round(rate(result)) })),
      writerVsLangchain: versusLangchain,
      writerVsCopy: versusCopy,
      writerConnections: WRITE_CONNECTIONS,
      oneConnectionWriterVsLangchain: singleVersusLangchain,
      oneConnectionWriterVsCopy: singleVersusCopy,
      hnswBuildMs: Math.round(buildMs),
      maintenanceWorkMem: MAINTENANCE_WORK_MEM,
      loadsPeakRssMb,
    },
  };
}
