import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { positiveInteger, cliSetup, runCommand } from './cli-options.js';
import type { IndexSummary } from '../ingest/source-indexer.js';
import { readRecordFile } from '../ingest/records/record-file.js';
import type { PatientRecord } from '../ingest/records/record.schemas.js';
import { createServices, type Services } from '../services.js';

/**
 * `npm run ingest -- docs <folder>` and `npm run ingest -- records <file.jsonl>`:
 * the same incremental indexing as the admin API, with a progress bar and a summary.
 */
const program = new Command()
  .name('ingest')
  .description('Index documentation folders and patient records into llm_assistant.docs_chunks.');

program
  .command('docs')
  .argument('<folder>', 'folder of .md, .txt and .html files (subfolders = modules)')
  .option('--module <name>', 'put every document in this module')
  .option('--collection <name>', 'name of this folder in the index (default: its last two path segments)')
  .option('--rebuild', 'empty the whole index first (needed after changing the embedding model)')
  .option('--json', 'print the summary as one JSON object, no progress bar')
  .action(async (folder: string, options: { module?: string; collection?: string; rebuild?: boolean; json?: boolean }) => {
    await withServices(options.rebuild ?? false, async (services) => {
      const bar = options.json ? null : new SingleBar({ format: ' {bar} {value}/{total} documents | {embeddingCalls} embedding calls | {eta_formatted} left', stream: process.stderr }, Presets.shades_classic);
      const { job, summary } = await services.ingest.reindex(
        {
          path: folder,
          ...(options.module ? { module: options.module } : {}),
          ...(options.collection ? { collection: options.collection } : {}),
          onProgress: (progress) => {
            if (!bar) return;
            if (bar.getTotal() !== progress.documentsTotal) bar.start(progress.documentsTotal, 0, { embeddingCalls: 0 });
            bar.update(progress.documentsProcessed, { embeddingCalls: progress.embeddingCalls });
          },
        },
        'cli',
      );
      bar?.stop();
      if (!summary || job.state !== 'succeeded') throw new Error(`Job ${job.id} failed: ${job.error ?? 'unknown error'}`);
      report(summary, options.json ?? false, path.resolve(folder));
    });
  });

program
  .command('records')
  .argument('<file>', 'JSON Lines file, one patient record per line (see scripts/generate-records.ts)')
  .option('--batch <n>', 'patients per write batch', positiveInteger, 200)
  .option('--json', 'print the summary as one JSON object, no progress bar')
  .action(async (file: string, options: { batch: number; json?: boolean }) => {
    // First pass: validate every line, so a bad line stops the run before anything is written.
    let total = 0;
    for await (const _record of readRecordFile(file)) total += 1;
    await withServices(false, async (services) => {
      const bar = options.json ? null : new SingleBar({ format: ' {bar} {value}/{total} patients', stream: process.stderr }, Presets.shades_classic);
      bar?.start(total, 0);
      const totals = emptySummary();
      let batch: PatientRecord[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        add(totals, await services.ingest.pushRecords(batch));
        bar?.increment(batch.length);
        batch = [];
      };
      for await (const { record } of readRecordFile(file)) {
        batch.push(record);
        if (batch.length >= options.batch) await flush();
      }
      await flush();
      bar?.stop();
      totals.ms = Math.round(performance.now() - started);
      report(totals, options.json ?? false, path.resolve(file));
    });
  });

const started = performance.now();

async function withServices(rebuildIndex: boolean, work: (services: Services) => Promise<void>): Promise<void> {
  const { config, logger } = cliSetup();
  const services = await createServices(config, logger, { rebuildIndex });
  try {
    await work(services);
  } finally {
    await services.close();
  }
}

function emptySummary(): IndexSummary {
  const counts = () => ({ added: 0, updated: 0, unchanged: 0, deleted: 0 });
  return { collection: 'records', documents: counts(), chunks: counts(), skipped: [], embeddingCalls: 0, tokensEmbedded: 0, ms: 0 };
}

function add(total: IndexSummary, part: IndexSummary): void {
  for (const key of ['added', 'updated', 'unchanged', 'deleted'] as const) {
    total.documents[key] += part.documents[key];
    total.chunks[key] += part.chunks[key];
  }
  total.skipped.push(...part.skipped);
  total.embeddingCalls += part.embeddingCalls;
  total.tokensEmbedded += part.tokensEmbedded;
}

function report(summary: IndexSummary, json: boolean, source: string): void {
  if (json) {
    console.log(JSON.stringify(summary));
    return;
  }
  const row = (name: string, counts: IndexSummary['documents']) =>
    `${name.padEnd(10)} ${String(counts.added).padStart(8)} ${String(counts.updated).padStart(8)} ${String(counts.unchanged).padStart(10)} ${String(counts.deleted).padStart(8)}`;
  console.log(`\nIndexed ${source} (collection ${summary.collection})`);
  console.log(`${''.padEnd(10)} ${'added'.padStart(8)} ${'updated'.padStart(8)} ${'unchanged'.padStart(10)} ${'deleted'.padStart(8)}`);
  console.log(row('documents', summary.documents));
  console.log(row('chunks', summary.chunks));
  console.log(`embedding calls ${summary.embeddingCalls}, tokens embedded ${summary.tokensEmbedded}, ${(summary.ms / 1000).toFixed(1)} s`);
  for (const skipped of summary.skipped) console.log(`skipped ${skipped.path}: ${skipped.reason} (${skipped.message})`);
}

await runCommand(program);
