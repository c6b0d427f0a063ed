import { appendFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { ingestDocsFolder, type DocsIngestSummary } from '../src/ingest/docs-ingest.js';
import type { EmbedOptions, Embedder, EmbeddingResult } from '../src/llm/embeddings/embedder.js';
import { createLogger } from '../src/logger.js';
import { Metrics } from '../src/metrics.js';
import { createServices } from '../src/services.js';
import { copyCorpus, freshDatabase, peakRssMb, resetPeakRss, round, timed, type BenchOptions, type BenchReport } from './bench/lib.js';

const COLLECTION = 'medquad/docs';
const PGLITE_MAX_DOCUMENTS = 1_000;

/** Counts the texts given to the embedder: "embeds only the changed chunks" is checked on this. */
class CountingEmbedder implements Embedder {
  texts = 0;
  constructor(private readonly inner: Embedder) {}
  get model() {
    return this.inner.model;
  }
  get dimensions() {
    return this.inner.dimensions;
  }
  get offline() {
    return this.inner.offline;
  }
  embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult> {
    this.texts += texts.length;
    return this.inner.embedDocuments(texts, options);
  }
  embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    return this.inner.embedQuery(text, options);
  }
}

interface Phase {
  backend: string;
  name: string;
  ms: number;
  summary: DocsIngestSummary;
  textsEmbedded: number;
  peakRssMb: number;
}

/**
 * `npm run bench -- reindex [--size N]`: MedQuAD (a copy; N documents, default all)
 * ingested with the offline embedder through ingestDocsFolder, then re-run unchanged,
 * then with 1% of the files edited; on real PostgreSQL and on the embedded PGlite.
 */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const corpus = await copyCorpus(options.size);
  try {
    const { url, pool } = await freshDatabase(options.serverUrl, 'llm_bench_reindex');
    await pool.end();
    const phases = await runPhases('postgres', { DATABASE_URL: url }, corpus.dir, corpus.files, options);
    // PGlite indexes ~2.5x slower and holds the database in this process: bounded here.
    if (corpus.files.length <= PGLITE_MAX_DOCUMENTS) {
      phases.push(...(await runPhases('pglite', { EMBEDDED_DATA_DIR: 'memory://' }, corpus.dir, corpus.files, options)));
    }
    return report(corpus.files.length, phases);
  } finally {
    await rm(path.dirname(corpus.dir), { recursive: true, force: true });
  }
}

async function runPhases(backend: string, env: Record<string, string>, dir: string, files: string[], options: BenchOptions): Promise<Phase[]> {
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', MIGRATE_ON_START: 'true', INDEX_EXAMPLES_ON_START: 'false', ...env });
  const logger = createLogger('warn', process.stderr);
  const services = await createServices(config, logger, { metrics: new Metrics({ defaultMetrics: false }) });
  const embedder = new CountingEmbedder(services.embedder);
  const deps = { pool: services.db.pool, embedder, chunking: config.chunking, logger };
  const phase = async (name: string): Promise<Phase> => {
    options.log(`${backend}: ${name}`);
    embedder.texts = 0;
    await resetPeakRss();
    const { result, ms } = await timed(() => ingestDocsFolder(deps, { rootDir: dir, collection: COLLECTION }));
    return { backend, name, ms, summary: result, textsEmbedded: embedder.texts, peakRssMb: await peakRssMb() };
  };
  try {
    const phases = [await phase('first ingest'), await phase('re-run, no change')];
    // 1% of the files, spread over the corpus: one paragraph appended to each.
    const edited = files.filter((_, i) => i % 100 === 50);
    for (const file of edited) await appendFile(path.join(dir, file), `\n\nEdited for the re-index benchmark (${backend}).\n`);
    phases.push(await phase(`re-run, ${edited.length} files edited (1%)`));
    return phases;
  } finally {
    await services.close();
  }
}

function report(documents: number, phases: Phase[]): BenchReport {
  const backends = [...new Set(phases.map((phase) => phase.backend))];
  const verdicts = backends.map((backend) => {
    const [first, unchanged, edited] = phases.filter((phase) => phase.backend === backend);
    if (!first || !unchanged || !edited) return `${backend}: incomplete`;
    const changedChunks = edited.summary.chunks.added + edited.summary.chunks.updated;
    return (
      `${backend}: unchanged re-run ${unchanged.summary.embeddingCalls} embedding calls, ${round((100 * unchanged.ms) / first.ms, 1)}% of the first run (target 0 and < 10%); ` +
      `1% run embedded ${edited.textsEmbedded} texts for ${changedChunks} new or changed chunks (module summaries included); ` +
      `peak RSS ${Math.max(...phases.filter((p) => p.backend === backend).map((p) => p.peakRssMb))} MB (target < 300 MB).`
    );
  });
  return {
    title: `reindex: MedQuAD, ${documents.toLocaleString('en')} documents, offline embedder`,
    columns: ['backend', 'run', 'seconds', 'docs added/updated/unchanged', 'chunks added/updated/unchanged/deleted', 'embedding calls', 'texts embedded', 'peak RSS MB'],
    rows: phases.map((phase) => {
      const { documents: d, chunks: c } = phase.summary;
      return [
        phase.backend,
        phase.name,
        round(phase.ms / 1000, 2),
        `${d.added}/${d.updated}/${d.unchanged}`,
        `${c.added}/${c.updated}/${c.unchanged}/${c.deleted}`,
        phase.summary.embeddingCalls,
        phase.textsEmbedded,
        phase.peakRssMb,
      ];
    }),
    notes: [
      'ingestDocsFolder (SourceIndexer) on a temporary copy of the corpus; peak RSS = the process high-water mark (VmHWM, reset before each run), database server excluded (PGlite runs inside the process, so its RSS includes the database).',
      ...verdicts,
      ...(backends.includes('pglite') ? [] : [`PGlite skipped above ${PGLITE_MAX_DOCUMENTS} documents (run with --size ${PGLITE_MAX_DOCUMENTS}).`]),
    ],
    figures: {
      documents,
      phases: phases.map((phase) => ({
        backend: phase.backend,
        run: phase.name,
        ms: Math.round(phase.ms),
        documents: phase.summary.documents,
        chunks: phase.summary.chunks,
        embeddingCalls: phase.summary.embeddingCalls,
        textsEmbedded: phase.textsEmbedded,
        peakRssMb: phase.peakRssMb,
      })),
    },
  };
}
