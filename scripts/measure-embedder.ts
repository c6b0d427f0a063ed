/**
 * Measures an offline embedder on MedQuAD, in memory (exact cosine search, no database):
 * model load time, memory, embedding speed, event-loop stalls, document-level retrieval
 * quality of vector-only search on the consumer-questions set, and how the top-1
 * similarity of on-topic questions separates from off-topic ones.
 *
 *   npx tsx scripts/measure-embedder.ts --embedder sentence-encoder [--docs 600] [--seed 1]
 *   npx tsx scripts/measure-embedder.ts --embedder hashing
 *   npx tsx scripts/measure-embedder.ts --embedder sentence-encoder --docs-dir examples/docs --questions none --no-cache
 *
 * Chunks come from the project's own loader and chunker (default chunking options), and
 * what is embedded is each chunk's `embeddingText`, as at ingestion. Computed chunk
 * vectors are cached under /tmp by embedder model and text hash, so a re-run only
 * embeds what it has not seen; timings are of the chunks embedded in this run.
 * Results in docs/offline-embedder.md.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { chunkDocument, DEFAULT_CHUNKING, CHUNKER_VERSION } from '../src/ingest/chunk/markdown-chunker.js';
import { loadDocumentFile, walkDocumentFiles } from '../src/ingest/load/document-loader.js';
import { EMBEDDING_DIMENSIONS, type Embedder } from '../src/llm/embeddings/embedder.js';
import { OfflineEmbedder } from '../src/llm/embeddings/offline-embedder.js';
import { Prng } from '../src/lib/prng.js';
import { evaluateRetrieval, type EvalQuestion, type LevelMetrics } from '../src/retrieval/eval-metrics.js';

const { values: args } = parseArgs({
  options: {
    embedder: { type: 'string', default: 'hashing' },
    'docs-dir': { type: 'string', default: '../shared/datasets/medquad/docs' },
    questions: { type: 'string', default: '../shared/datasets/consumer-questions/questions.jsonl' },
    'off-topic': { type: 'string', default: '../shared/datasets/consumer-questions/off-topic.txt' },
    docs: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'max-words': { type: 'string' },
    batch: { type: 'string' },
    'cache-dir': { type: 'string', default: path.join(os.tmpdir(), 'llm-assistant-embedder-cache') },
    'no-cache': { type: 'boolean', default: false },
    'texts-per-call': { type: 'string', default: '64' },
    'window-words': { type: 'string' },
    json: { type: 'string' },
  },
  strict: true,
});

interface Chunk {
  sourceId: string;
  text: string;
  hash: string;
}

interface Question {
  qid: string;
  question: string;
  relevant: { doc: string }[];
}

const rssMb = (): number => process.memoryUsage().rss / 1_048_576;
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function optionalInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

async function makeEmbedder(): Promise<{ embedder: Embedder; loadMs: number }> {
  const started = performance.now();
  if (args.embedder === 'hashing') return { embedder: new OfflineEmbedder(), loadMs: performance.now() - started };
  if (args.embedder !== 'sentence-encoder') throw new Error('--embedder must be hashing or sentence-encoder');
  const { SentenceEncoderEmbedder } = await import('../src/llm/embeddings/sentence-encoder-embedder.js');
  const encoder = new SentenceEncoderEmbedder({
    maxWords: optionalInt('max-words', args['max-words']),
    batchSize: optionalInt('batch', args.batch),
  });
  await encoder.load();
  const windowWords = optionalInt('window-words', args['window-words']);
  const embedder = windowWords === undefined ? encoder : new WindowedEmbedder(encoder, windowWords);
  return { embedder, loadMs: performance.now() - started };
}

/**
 * Experiment (--window-words N): a document is embedded as consecutive windows of N words,
 * each after the chunk's heading line, and the window vectors are averaged; queries as
 * they are. For a model that reads only the start of a text.
 */
class WindowedEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly offline: boolean;

  constructor(
    private readonly inner: Embedder,
    private readonly windowWords: number,
  ) {
    this.model = `${inner.model}-win${windowWords}`;
    this.dimensions = inner.dimensions;
    this.offline = inner.offline;
  }

  async embedDocuments(texts: string[]): Promise<{ vectors: Float32Array[]; calls: number; tokens: number }> {
    const windows: string[] = [];
    const owners: number[] = [];
    texts.forEach((text, index) => {
      const cut = text.indexOf('\n\n');
      const heading = cut > 0 && !text.slice(0, cut).includes('\n') ? text.slice(0, cut) : '';
      const body = (heading ? text.slice(cut + 2) : text).split(/\s+/).filter(Boolean);
      const size = Math.max(8, this.windowWords - heading.split(/\s+/).filter(Boolean).length);
      for (let start = 0; start === 0 || start < body.length; start += size) {
        windows.push(`${heading}\n\n${body.slice(start, start + size).join(' ')}`);
        owners.push(index);
      }
    });
    const { vectors, calls } = await this.inner.embedDocuments(windows);
    const sums = texts.map(() => new Float64Array(this.dimensions));
    vectors.forEach((vector, i) => {
      const sum = sums[owners[i]!]!;
      for (let d = 0; d < vector.length; d++) sum[d]! += vector[d]!;
    });
    return {
      vectors: sums.map((sum) => {
        const norm = Math.sqrt(sum.reduce((acc, value) => acc + value * value, 0)) || 1;
        return Float32Array.from(sum, (value) => value / norm);
      }),
      calls,
      tokens: 0,
    };
  }

  embedQuery(text: string): Promise<number[]> {
    return this.inner.embedQuery(text);
  }
}

function readQuestions(file: string | undefined): Question[] {
  if (file === undefined || file === 'none') return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Question);
}

function readLines(file: string | undefined): string[] {
  if (file === undefined || file === 'none') return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

async function loadChunks(root: string, keep: (sourceId: string) => boolean): Promise<{ chunks: Chunk[]; documents: number }> {
  const chunks: Chunk[] = [];
  let documents = 0;
  for await (const file of walkDocumentFiles(root)) {
    const loaded = await loadDocumentFile(root, file);
    if (!loaded.ok || !keep(loaded.document.sourceId)) continue;
    documents++;
    for (const draft of chunkDocument({ title: loaded.document.title, body: loaded.document.body }, DEFAULT_CHUNKING)) {
      chunks.push({
        sourceId: loaded.document.sourceId,
        text: draft.embeddingText,
        hash: createHash('sha256').update(draft.embeddingText).digest('hex'),
      });
    }
  }
  return { chunks, documents };
}

/** All gold documents plus a seeded random sample of the others, `count` in all. */
async function pickDocuments(root: string, count: number, gold: ReadonlySet<string>, seed: number): Promise<Set<string>> {
  const all: string[] = [];
  for await (const file of walkDocumentFiles(root)) {
    const relative = path.relative(path.resolve(root), file).split(path.sep).join('/');
    all.push(relative.slice(0, relative.length - path.extname(relative).length));
  }
  const others = all.filter((id) => !gold.has(id));
  const prng = new Prng(seed, 0x6d2b79f5, 0x1b873593, 0xcc9e2d51);
  return new Set([...gold, ...prng.sample(others, Math.max(0, count - gold.size))]);
}

/** Append-only file of (sha256 of the text, EMBEDDING_DIMENSIONS float32) records, per embedder model. */
class VectorCache {
  private static readonly RECORD = 32 + EMBEDDING_DIMENSIONS * 4;
  private readonly vectors = new Map<string, Float32Array>();

  constructor(private readonly file: string | null) {
    if (file === null || !existsSync(file)) return;
    const bytes = readFileSync(file);
    const records = Math.floor(bytes.byteLength / VectorCache.RECORD);
    for (let i = 0; i < records; i++) {
      const offset = i * VectorCache.RECORD;
      const hash = bytes.subarray(offset, offset + 32).toString('hex');
      const vector = new Float32Array(EMBEDDING_DIMENSIONS);
      new Uint8Array(vector.buffer).set(bytes.subarray(offset + 32, offset + VectorCache.RECORD));
      this.vectors.set(hash, vector);
    }
  }

  get(hash: string): Float32Array | undefined {
    return this.vectors.get(hash);
  }

  add(entries: { hash: string; vector: Float32Array }[]): void {
    for (const { hash, vector } of entries) this.vectors.set(hash, vector);
    if (this.file === null || entries.length === 0) return;
    const out = Buffer.alloc(entries.length * VectorCache.RECORD);
    entries.forEach(({ hash, vector }, i) => {
      Buffer.from(hash, 'hex').copy(out, i * VectorCache.RECORD);
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(out, i * VectorCache.RECORD + 32);
    });
    appendFileSync(this.file, out);
  }
}

function summarise(values: readonly number[]): Record<string, number> {
  return {
    min: round(Math.min(...values), 3),
    p5: round(percentile(values, 5), 3),
    median: round(percentile(values, 50), 3),
    p95: round(percentile(values, 95), 3),
    max: round(Math.max(...values), 3),
  };
}

function formatMetrics(metrics: LevelMetrics): string {
  return `R@1 ${metrics.recallAt1.toFixed(3)}  R@5 ${metrics.recallAt5.toFixed(3)}  R@10 ${metrics.recallAt10.toFixed(3)}  MRR@10 ${metrics.mrrAt10.toFixed(3)}  (${metrics.questions} questions)`;
}

/** qid ranges of consumer-questions/README.md; other sets are one group. */
function questionGroup(qid: string): string {
  if (!qid.startsWith('consumer-')) return 'all';
  const n = Number(qid.replace(/\D+/g, ''));
  if (n <= 40) return 'lay symptoms (01-40)';
  if (n <= 60) return 'lay names (41-60)';
  if (n <= 70) return 'long messages (61-70)';
  return 'misspellings (71-80)';
}

async function main(): Promise<void> {
  const root = path.resolve(args['docs-dir']);
  const questions = readQuestions(args.questions);
  const offTopic = readLines(args['off-topic']);
  const gold = new Set(questions.flatMap((question) => question.relevant.map((item) => item.doc)));
  const docLimit = optionalInt('docs', args.docs);
  const seed = Number(args.seed);
  const rssStart = rssMb();

  const subset = docLimit === undefined ? null : await pickDocuments(root, docLimit, gold, seed);
  const loadStarted = performance.now();
  const { chunks, documents } = await loadChunks(root, (id) => subset === null || subset.has(id));
  const chunkingMs = performance.now() - loadStarted;
  const missingGold = [...gold].filter((doc) => !chunks.some((chunk) => chunk.sourceId === doc));
  const rssBeforeModel = rssMb();

  const { embedder, loadMs } = await makeEmbedder();
  const rssAfterModel = rssMb();
  console.log(
    `${embedder.model}: ${documents} documents, ${chunks.length} chunks (${CHUNKER_VERSION}, chunked in ${round(chunkingMs / 1000)} s); ` +
      `model load ${round(loadMs)} ms; RSS ${round(rssStart)} MB at start, ${round(rssBeforeModel)} MB with the chunks, ${round(rssAfterModel)} MB with the model`,
  );

  // Chunks.
  const cacheDir = args['cache-dir'];
  if (!args['no-cache']) mkdirSync(cacheDir, { recursive: true });
  const cache = new VectorCache(args['no-cache'] ? null : path.join(cacheDir, `${embedder.model}.bin`));
  const seen = new Set<string>();
  let cached = 0;
  const todo = chunks.filter((chunk) => {
    if (cache.get(chunk.hash) !== undefined) {
      cached++;
      return false;
    }
    if (seen.has(chunk.hash)) return false; // the same text twice (MedQuAD repeats some sections)
    seen.add(chunk.hash);
    return true;
  });
  const textsPerCall = optionalInt('texts-per-call', args['texts-per-call']) ?? 64;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let embedMs = 0;
  let embedCpuMs = 0;
  let embeddedWords = 0;
  if (todo.length > 0) {
    loopDelay.enable();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let lastReport = started;
    for (let start = 0; start < todo.length; start += textsPerCall) {
      // A turn of the event loop between calls, as ingestion's database writes give.
      await setImmediate();
      const slice = todo.slice(start, start + textsPerCall);
      const { vectors } = await embedder.embedDocuments(slice.map((chunk) => chunk.text));
      cache.add(slice.map((chunk, i) => ({ hash: chunk.hash, vector: vectors[i]! })));
      for (const chunk of slice) embeddedWords += chunk.text.split(/\s+/).filter(Boolean).length;
      const now = performance.now();
      if (now - lastReport > 30_000) {
        lastReport = now;
        const done = start + slice.length;
        const perChunk = (now - started) / done;
        console.log(`  ${done}/${todo.length} chunks, ${round(perChunk, 2)} ms/chunk, ~${round(((todo.length - done) * perChunk) / 60_000)} min left, peak RSS ${round(peakRssMb())} MB`);
      }
    }
    embedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    embedCpuMs = (cpu.user + cpu.system) / 1000;
    loopDelay.disable();
  }
  const chunkWords = chunks.map((chunk) => chunk.text.split(/\s+/).filter(Boolean).length);
  const embedding = {
    chunks: chunks.length,
    embeddedThisRun: todo.length,
    fromCache: cached,
    duplicateTexts: chunks.length - cached - todo.length,
    totalEmbedSeconds: round(embedMs / 1000, 1),
    msPerChunk: todo.length > 0 ? round(embedMs / todo.length, 2) : null,
    cpuMsPerChunk: todo.length > 0 ? round(embedCpuMs / todo.length, 2) : null,
    wordsPerChunk: { median: percentile(chunkWords, 50), p95: percentile(chunkWords, 95), max: Math.max(...chunkWords), mean: round(chunkWords.reduce((a, b) => a + b, 0) / chunkWords.length) },
    meanWordsEmbeddedThisRun: todo.length > 0 ? round(embeddedWords / todo.length) : null,
    eventLoopStallMs: todo.length > 0 ? { p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) } : null,
  };
  console.log(
    todo.length > 0
      ? `embedded ${todo.length} chunks in ${embedding.totalEmbedSeconds} s: ${embedding.msPerChunk} ms/chunk wall, ${embedding.cpuMsPerChunk} ms/chunk CPU (${cached} from the cache, ${embedding.duplicateTexts} repeated texts); event loop blocked up to ${embedding.eventLoopStallMs!.max} ms (p99 ${embedding.eventLoopStallMs!.p99} ms)`
      : `all ${chunks.length} chunk vectors from the cache (${cacheDir}); no embedding timing in this run`,
  );
  console.log(`words per chunk embeddingText: median ${embedding.wordsPerChunk.median}, p95 ${embedding.wordsPerChunk.p95}, max ${embedding.wordsPerChunk.max}`);

  // One matrix of the chunks' vectors; only the dimensions some vector uses are scanned
  // (the sentence encoder's are zero past 512), which changes no dot product.
  let active = 1;
  for (const chunk of chunks) {
    const vector = cache.get(chunk.hash)!;
    for (let d = vector.length - 1; d >= active; d--) {
      if (vector[d] !== 0) {
        active = d + 1;
        break;
      }
    }
  }
  const matrix = new Float32Array(chunks.length * active);
  chunks.forEach((chunk, i) => matrix.set(cache.get(chunk.hash)!.subarray(0, active), i * active));
  const scores = new Float32Array(chunks.length);
  const search = (query: number[]): { top1: number; docs: string[] } => {
    for (let i = 0; i < chunks.length; i++) {
      let sum = 0;
      const offset = i * active;
      for (let d = 0; d < active; d++) sum += matrix[offset + d]! * query[d]!;
      scores[i] = sum;
    }
    const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
    const docs: string[] = [];
    for (const index of order) {
      const doc = chunks[index]!.sourceId;
      if (!docs.includes(doc)) docs.push(doc);
      if (docs.length === 10) break;
    }
    return { top1: scores[order[0]!] ?? Number.NaN, docs };
  };

  // Queries: timed one by one, as a request would embed them.
  const queryTexts = [...questions.map((question) => question.question), ...offTopic];
  if (queryTexts.length === 0) {
    finish({ embedder: embedder.model, documents, embedding, loadMs: round(loadMs), memory: memory(rssStart, rssBeforeModel, rssAfterModel) });
    return;
  }
  await embedder.embedQuery('warm-up question about asthma');
  const queryMs: number[] = [];
  const queryVectors: number[][] = [];
  const queryCpuStarted = process.cpuUsage();
  for (const text of queryTexts) {
    const started = performance.now();
    queryVectors.push(await embedder.embedQuery(text));
    queryMs.push(performance.now() - started);
  }
  const queryCpu = process.cpuUsage(queryCpuStarted);
  const queryCpuMs = round((queryCpu.user + queryCpu.system) / 1000 / queryTexts.length, 2);
  const results = queryVectors.map((vector) => search(vector));
  const onTopic = results.slice(0, questions.length);
  const offTopicResults = results.slice(questions.length);

  const evalQuestions: EvalQuestion[] = questions.map((question, i) => ({
    id: question.qid,
    ranked: onTopic[i]!.docs.map((doc) => ({ doc })),
    relevant: question.relevant,
  }));
  const overall = evaluateRetrieval(evalQuestions).document;
  const groups = new Map<string, EvalQuestion[]>();
  for (const question of evalQuestions) groups.set(questionGroup(question.id), [...(groups.get(questionGroup(question.id)) ?? []), question]);
  const byGroup = Object.fromEntries([...groups].map(([name, list]) => [name, evaluateRetrieval(list).document]));

  const onTop1 = onTopic.map((result) => result.top1);
  const offTop1 = offTopicResults.map((result) => result.top1);
  const lowest = Math.floor(Math.min(...onTop1, ...offTop1) * 20) / 20;
  const highest = Math.ceil(Math.max(...onTop1, ...offTop1) * 20) / 20;
  const thresholds: { threshold: number; offTopicAtOrAbove: number; onTopicBelow: number }[] = [];
  for (let t = lowest; t <= highest + 1e-9; t += 0.025) {
    thresholds.push({
      threshold: round(t, 3),
      offTopicAtOrAbove: round(offTop1.filter((s) => s >= t).length / Math.max(1, offTop1.length), 3),
      onTopicBelow: round(onTop1.filter((s) => s < t).length / Math.max(1, onTop1.length), 3),
    });
  }

  console.log(`queries: ${queryMs.length} embedded one by one, mean ${round(queryMs.reduce((a, b) => a + b, 0) / queryMs.length, 2)} ms, p50 ${round(percentile(queryMs, 50), 2)} ms, p95 ${round(percentile(queryMs, 95), 2)} ms; CPU ${queryCpuMs} ms each`);
  if (missingGold.length > 0) console.log(`warning: ${missingGold.length} gold documents not in the corpus: ${missingGold.slice(0, 5).join(', ')}`);
  console.log(`vector-only search, documents (distinct, in chunk rank order): ${formatMetrics(overall)}`);
  for (const [name, metrics] of Object.entries(byGroup)) console.log(`  ${name.padEnd(24)} ${formatMetrics(metrics)}`);
  const on = summarise(onTop1);
  const off = summarise(offTop1);
  console.log(`top-1 similarity, on-topic (${onTop1.length}):  min ${on.min}  p5 ${on.p5}  median ${on.median}  p95 ${on.p95}  max ${on.max}`);
  console.log(`top-1 similarity, off-topic (${offTop1.length}): min ${off.min}  p5 ${off.p5}  median ${off.median}  p95 ${off.p95}  max ${off.max}`);
  console.log('threshold  off-topic >= t  on-topic < t');
  for (const row of thresholds) console.log(`${row.threshold.toFixed(3).padStart(9)}  ${row.offTopicAtOrAbove.toFixed(3).padStart(14)}  ${row.onTopicBelow.toFixed(3).padStart(12)}`);

  finish({
    embedder: embedder.model,
    documents,
    embedding,
    loadMs: round(loadMs),
    memory: memory(rssStart, rssBeforeModel, rssAfterModel),
    queries: { count: queryMs.length, meanMs: round(queryMs.reduce((a, b) => a + b, 0) / queryMs.length, 2), p50Ms: round(percentile(queryMs, 50), 2), p95Ms: round(percentile(queryMs, 95), 2), cpuMsEach: queryCpuMs },
    retrieval: { documentLevel: overall, byGroup, missedTop5: evaluateRetrieval(evalQuestions).missed.map((m) => m.id) },
    top1: { onTopic: on, offTopic: off, thresholds },
  });
}

function memory(start: number, withChunks: number, withModel: number): Record<string, number> {
  return { rssStartMb: round(start), rssWithChunksMb: round(withChunks), rssWithModelMb: round(withModel), peakRssMb: round(peakRssMb()) };
}

function finish(report: Record<string, unknown>): void {
  const full = {
    ...report,
    machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: os.loadavg().map((v) => round(v, 2)) },
    date: new Date().toISOString(),
    args,
  };
  console.log(`peak RSS ${round(peakRssMb())} MB (includes the chunk vectors held for search: ${round((Number((report.embedding as { chunks: number }).chunks) * EMBEDDING_DIMENSIONS * 4) / 1_048_576)} MB as 1536-dim float32 in the cache map)`);
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(full, null, 2) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
