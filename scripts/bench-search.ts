import type pg from 'pg';
import { toSql } from 'pgvector';
import type { PGVectorStore } from '@langchain/community/vectorstores/pgvector';
import { Prng } from '../src/lib/prng.js';
import { copyBinary } from './bench/binary-copy.js';
import { ClusteredVectors, freshDatabase, percentile, round, timed, type BenchOptions, type BenchReport } from './bench/lib.js';
import {
  DOCS_CHUNKS_COPY_TARGET,
  LANGCHAIN_COPY_TARGET,
  RARE_MODULE,
  copySources,
  docsChunkFields,
  langchainFields,
  openLangchainStore,
  syntheticChunks,
} from './bench/synthetic-corpus.js';

const K = 10;
const EF_SEARCH = 100;
const QUERIES = 200;
const WARMUP = 20;
const MAINTENANCE_WORK_MEM = '2GB';
const ORDER_SEED = 11;

/** What the service sends (src/retrieval/search.service.ts), vector-only: no query text, no floor. */
const SEARCH_CHUNKS = `
  SELECT id, source_kind, collection, source_id, source_uri, module, title, heading_path, url, chunk_index,
         content, patient_id, similarity, vector_rank, lexical_rank, score, match_reason
  FROM llm_assistant.search_chunks(
    query_embedding => $1::vector, match_count => $2, doctor_id => NULL, query_text => NULL,
    filter_modules => $3, min_similarity => 0, ef_search => $4)`;
/**
 * (b): the same query by hand, returning what the service returns (the chunk's columns
 * and its similarity), so that both sides fetch the same rows.
 */
const HAND_COLUMNS = `id, source_kind, collection, source_id, source_uri, module, title, heading_path, url, chunk_index,
         content, patient_id, (1 - (embedding <=> $1))::real AS similarity`;
const BY_HAND = `SELECT ${HAND_COLUMNS} FROM llm_assistant.docs_chunks ORDER BY embedding <=> $1 LIMIT ${K}`;
const BY_HAND_FILTERED = `SELECT ${HAND_COLUMNS} FROM llm_assistant.docs_chunks WHERE module = $2 ORDER BY embedding <=> $1 LIMIT ${K}`;

type Filter = 'none' | '1%';

interface Method {
  name: string;
  filter: Filter;
  /** The session the method queries on; null: a connection of the pool (LangChain's). */
  session: pg.PoolClient | null;
  /** Ids (our chunk ids) of the rows returned for one query vector. */
  search(vector: string, raw: number[]): Promise<string[]>;
}

/**
 * `npm run bench -- search [--size N]`: k=10 latency and recall@10 of search_chunks, the
 * same query by hand, and LangChain's PGVectorStore, over the same N synthetic vectors,
 * unfiltered and with a filter matching 1% of the rows.
 */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const size = options.size ?? 100_000;
  const vectors = new ClusteredVectors(7);
  // LangChain sets no ef_search, so its queries run with the server's default, as its
  // users' do; (a) and (b) set EF_SEARCH themselves.
  const { pool } = await freshDatabase(options.serverUrl, 'llm_bench_search', 6);
  const store = await openLangchainStore(pool);
  try {
    options.log(`loading ${size} chunks into docs_chunks and ${store.tableName} (binary COPY, docs_chunks' HNSW built afterwards)`);
    const load = await timed(() => loadCorpus(pool, vectors, size));
    options.log(`loaded in ${(load.ms / 1000).toFixed(1)} s; building the docs_chunks HNSW index (maintenance_work_mem ${MAINTENANCE_WORK_MEM})`);
    const docsBuildMs = await buildServiceIndex(pool);
    // An ANALYZE after the load, as LangChain's documentation and any PostgreSQL user would.
    await pool.query(`ANALYZE llm_assistant.docs_chunks, llm_assistant.sources, ${store.tableName}`);

    const queries = Array.from({ length: QUERIES }, (_, i) => Array.from(vectors.vector('query', i).values));
    const sessions = await openSessions(pool);
    try {
      options.log('computing exact ground truth');
      const truth = await groundTruth(sessions.exact, queries);
      // LangChain as PGVectorStore leaves it until its user calls createHnswIndex: measured
      // alone first, then again among the others once its index exists.
      const unindexed = langchainMethods(store, ' without its index');
      options.log(`measuring ${unindexed.length} LangChain methods without an index x ${QUERIES} queries`);
      const before = await measure(pool, unindexed, queries, truth);
      options.log(`building LangChain's index (PGVectorStore.createHnswIndex, m=16, ef_construction=64), then ANALYZE`);
      const langchainBuild = await timed(() => store.createHnswIndex({ dimensions: 1536, m: 16, efConstruction: 64 }));
      await pool.query(`ANALYZE ${store.tableName}`);
      const methods = [...serviceMethods(sessions), ...langchainMethods(store, ' + createHnswIndex')];
      options.log(`measuring ${methods.length} methods x ${QUERIES} queries (interleaved)`);
      const after = await measure(pool, methods, queries, truth);
      return report(size, load.ms, { docs: docsBuildMs, langchain: langchainBuild.ms }, [...after, ...before]);
    } finally {
      for (const client of Object.values(sessions)) client.release();
    }
  } finally {
    await store.end(); // ends the pool too: PGVectorStore holds one of its clients
  }
}

async function loadCorpus(pool: pg.Pool, vectors: ClusteredVectors, size: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('DROP INDEX IF EXISTS llm_assistant.docs_chunks_embedding_hnsw');
    await copySources(client, 0, size);
    for (let from = 0; from < size; from += 10_000) {
      const to = Math.min(size, from + 10_000);
      // Generated once, copied into both tables: the same vectors on both sides.
      const chunks = [...syntheticChunks(vectors, from, to)];
      await copyBinary(client, DOCS_CHUNKS_COPY_TARGET, chunks.map(docsChunkFields));
      await copyBinary(client, LANGCHAIN_COPY_TARGET, chunks.map(langchainFields));
    }
  } finally {
    client.release();
  }
}

async function buildServiceIndex(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(`SET maintenance_work_mem = '${MAINTENANCE_WORK_MEM}'`);
    const build = await timed(() =>
      client.query(
        `CREATE INDEX docs_chunks_embedding_hnsw ON llm_assistant.docs_chunks
           USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
      ),
    );
    return build.ms;
  } finally {
    client.release();
  }
}

type Sessions = Record<'service' | 'hand' | 'handIterative' | 'exact', pg.PoolClient>;

/** One connection per method, so that session settings never leak between methods. */
async function openSessions(pool: pg.Pool): Promise<Sessions> {
  const sessions = {
    service: await pool.connect(),
    hand: await pool.connect(),
    handIterative: await pool.connect(),
    exact: await pool.connect(),
  };
  await sessions.hand.query(`SET hnsw.ef_search = ${EF_SEARCH}`);
  await sessions.handIterative.query(`SET hnsw.ef_search = ${EF_SEARCH}; SET hnsw.iterative_scan = relaxed_order`);
  await sessions.exact.query('SET enable_indexscan = off');
  return sessions;
}

/** Exact top-k per query, unfiltered and filtered, by a sequential scan. */
async function groundTruth(exact: pg.PoolClient, queries: number[][]): Promise<Record<Filter, string[][]>> {
  const truth: Record<Filter, string[][]> = { none: [], '1%': [] };
  for (const query of queries) {
    const vector = toSql(query) as string;
    truth.none.push((await exact.query<{ id: string }>(BY_HAND, [vector])).rows.map((row) => row.id));
    truth['1%'].push((await exact.query<{ id: string }>(BY_HAND_FILTERED, [vector, RARE_MODULE])).rows.map((row) => row.id));
  }
  return truth;
}

/** The service's function and the same query by hand, each on its own session. */
function serviceMethods(sessions: Sessions): Method[] {
  const ids = (result: pg.QueryResult<{ id: string }>) => result.rows.map((row) => row.id);
  const service = (filter: Filter) => async (vector: string) =>
    ids(await sessions.service.query<{ id: string }>(SEARCH_CHUNKS, [vector, K, filter === '1%' ? [RARE_MODULE] : null, EF_SEARCH]));
  const hand = (session: pg.PoolClient, filtered: boolean) => async (vector: string) =>
    ids(await session.query<{ id: string }>(filtered ? BY_HAND_FILTERED : BY_HAND, filtered ? [vector, RARE_MODULE] : [vector]));
  return [
    { name: '(a) search_chunks', filter: 'none', session: sessions.service, search: service('none') },
    { name: '(b) by hand', filter: 'none', session: sessions.hand, search: hand(sessions.hand, false) },
    { name: '(a) search_chunks', filter: '1%', session: sessions.service, search: service('1%') },
    { name: '(b) by hand', filter: '1%', session: sessions.hand, search: hand(sessions.hand, true) },
    { name: '(b) by hand + iterative scan', filter: '1%', session: sessions.handIterative, search: hand(sessions.handIterative, true) },
  ];
}

/** LangChain's PGVectorStore.similaritySearchVectorWithScore, on connections of its pool. */
function langchainMethods(store: PGVectorStore, setup: string): Method[] {
  const langchain = (filter: Filter) => async (_vector: string, raw: number[]) =>
    (await store.similaritySearchVectorWithScore(raw, K, filter === '1%' ? { module: RARE_MODULE } : undefined)).map(
      ([document]) => (document.metadata as { chunkId: string }).chunkId,
    );
  return (['none', '1%'] as const).map((filter) => ({ name: `(c) LangChain PGVectorStore${setup}`, filter, session: null, search: langchain(filter) }));
}

interface MethodResult {
  method: Method;
  /** The scans of the plans the method's statements ran with (EXPLAIN, nested statements included). */
  plan: string;
  latencies: number[];
  recalls: number[];
  rows: number[];
}

/**
 * Query by query, every method in turn, so that a noisy moment hits all of them alike.
 * The order is shuffled per query (seeded): the HNSW index (~0.8 GB at 100,000 rows)
 * does not fit in the default shared_buffers, so the first method to run a query pays
 * for reading its pages, and a method that scans the table (LangChain's filtered query)
 * evicts pages that the next one then pays for. A fixed or rotating order would always
 * put the same method right after it.
 */
async function measure(pool: pg.Pool, methods: Method[], queries: number[][], truth: Record<Filter, string[][]>): Promise<MethodResult[]> {
  const first = queries[0]!;
  const results: MethodResult[] = [];
  for (const method of methods) {
    results.push({ method, plan: await planOf(pool, method, toSql(first) as string, first), latencies: [], recalls: [], rows: [] });
  }
  for (let i = 0; i < WARMUP; i++) {
    for (const method of methods) await method.search(toSql(queries[i % queries.length]!) as string, queries[i % queries.length]!);
  }
  const prng = new Prng(ORDER_SEED, 1, 2, 3);
  for (const [q, query] of queries.entries()) {
    // Serialised once per query, outside the timing: every method gets the same text.
    const vector = toSql(query) as string;
    const order = [...results];
    for (let i = order.length - 1; i > 0; i--) {
      const j = prng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const result of order) {
      const { result: found, ms } = await timed(() => result.method.search(vector, query));
      const expected = new Set(truth[result.method.filter][q]);
      result.latencies.push(ms);
      result.recalls.push(found.filter((id) => expected.has(id)).length / Math.max(1, expected.size));
      result.rows.push(found.length);
    }
  }
  return results;
}

/**
 * The scans of the plans one search ran with, by auto_explain on its session (nested
 * statements included, so the statements inside search_chunks show). LangChain's
 * statement, sent through its pool, is captured and run again on a session of the pool.
 */
async function planOf(pool: pg.Pool, method: Method, vector: string, raw: number[]): Promise<string> {
  // Captured before a session is taken: LangChain's call needs a connection of the pool.
  const statement = method.session ? null : await capturedStatement(pool, () => method.search(vector, raw));
  const session = method.session ?? (await pool.connect());
  const run = () => (statement ? session.query(statement.text, statement.values) : method.search(vector, raw));
  try {
    const plans: string[] = [];
    const collect = (notice: { message?: string }) => plans.push(notice.message ?? '');
    await session.query(`LOAD 'auto_explain'`);
    await session.query('SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET client_min_messages = log');
    session.on('notice', collect);
    try {
      await run();
    } finally {
      session.off('notice', collect);
      await session.query('SET auto_explain.log_min_duration = -1; RESET client_min_messages');
    }
    const scans = plans.join('\n').match(/(?:Parallel )?(?:Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan)(?: Backward)?(?: using \S+)? on \S+/g);
    return [...new Set(scans ?? [])].join('; ');
  } finally {
    if (!method.session) session.release();
  }
}

/** The last statement a call sends through `pool.query`, with its parameters. */
async function capturedStatement(pool: pg.Pool, call: () => Promise<unknown>): Promise<{ text: string; values: unknown[] }> {
  const query = pool.query.bind(pool);
  let captured: { text: string; values: unknown[] } | undefined;
  pool.query = ((text: string, values: unknown[]) => {
    captured = { text, values };
    return query(text, values);
  }) as typeof pool.query;
  try {
    await call();
  } finally {
    pool.query = query;
  }
  if (!captured) throw new Error('the call sent no statement through the pool');
  return captured;
}

function report(size: number, loadMs: number, builds: { docs: number; langchain: number }, results: MethodResult[]): BenchReport {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const summary = results.map((r) => ({
    method: r.method.name,
    filter: r.method.filter,
    p50: round(percentile(r.latencies, 50), 2),
    p99: round(percentile(r.latencies, 99), 2),
    recall: round(mean(r.recalls), 3),
    rowsMin: Math.min(...r.rows),
    rowsMean: round(mean(r.rows), 1),
    plan: r.plan,
  }));
  const find = (name: string, filter: Filter) => summary.find((s) => s.method.startsWith(name) && s.filter === filter)!;
  const ratio = (filter: Filter) => round(find('(a)', filter).p50 / find('(b) by hand', filter).p50, 2);
  const serviceFiltered = find('(a)', '1%');
  return {
    title: `search: ${size.toLocaleString('en')} chunks x 1536 dims, k=${K}, ef_search=${EF_SEARCH}`,
    columns: ['method', 'filter', 'p50 ms', 'p99 ms', 'recall@10', 'rows min', 'rows mean', 'plan (scans)'],
    rows: summary.map((s) => [s.method, s.filter, s.p50, s.p99, s.recall, s.rowsMin, s.rowsMean, s.plan]),
    notes: [
      `${QUERIES} queries after ${WARMUP} warm-up, one connection per method, methods interleaved per query in a shuffled (seeded) order; recall against an exact scan (enable_indexscan = off). (a) and (b) return the same columns (the chunk and its similarity).`,
      `Synthetic clustered unit vectors (300 centres); filter = module '${RARE_MODULE}' on 1% of rows (LangChain: metadata filter).`,
      `Load by binary COPY ${(loadMs / 1000).toFixed(1)} s (both tables), then ANALYZE. HNSW (m=16, ef_construction=64) built after the load: docs_chunks ${(builds.docs / 1000).toFixed(1)} s with maintenance_work_mem=${MAINTENANCE_WORK_MEM}; LangChain's by PGVectorStore.createHnswIndex as its documentation shows, on the server's default settings, ${(builds.langchain / 1000).toFixed(1)} s, then ANALYZE.`,
      `LangChain rows: 'without its index' is the store as PGVectorStore.initialize leaves it, measured alone before createHnswIndex; '+ createHnswIndex' is measured interleaved with (a) and (b). LangChain sets no hnsw.ef_search: its queries run with the server's default (40), (a) and (b) with ${EF_SEARCH}. Plan: the scans of each method's statements for the first query (auto_explain, nested statements included).`,
      `(a)/(b) p50: unfiltered ${ratio('none')}x, 1% filter ${ratio('1%')}x (target <= 1.2x unfiltered); (a) recall ${find('(a)', 'none').recall} (target >= 0.95); (a) with 1% filter returned ${serviceFiltered.rowsMin}..${K} rows (target: 10 every time).`,
    ],
    figures: { size, k: K, efSearch: EF_SEARCH, queries: QUERIES, loadMs: round(loadMs, 0), hnswBuildMs: builds, maintenanceWorkMem: MAINTENANCE_WORK_MEM, results: summary },
  };
}
