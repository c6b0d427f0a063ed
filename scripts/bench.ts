import pg from 'pg';
import { Command, InvalidArgumentError } from 'commander';
import { positiveInteger } from '../src/cli/cli-options.js';
import { appendToBenchmarks, describeMachine, formatTable, type BenchOptions, type BenchReport } from './bench/lib.js';

/**
 * `npm run bench -- <name> [--size N] [--json]`: runs one benchmark against real
 * PostgreSQL, prints its table (or one JSON object) and appends the table, with the
 * command and the machine, to docs/benchmarks.md.
 */
const BENCHMARKS: Record<string, () => Promise<{ run: (options: BenchOptions) => Promise<BenchReport> }>> = {
  search: () => import('./bench-search.js'),
  ingest: () => import('./bench-ingest.js'),
  reindex: () => import('./bench-reindex.js'),
  chat: () => import('./bench-chat.js'),
  'records-sync': () => import('./bench-records-sync.js'),
};


const program = new Command()
  .name('bench')
  .argument('<name>', Object.keys(BENCHMARKS).join(' | '))
  .option('--size <n>', 'rows (search, ingest) or documents (reindex) to use; each benchmark has its default', positiveInteger)
  .option('--duration <seconds>', 'seconds of load per phase (chat; default 30)', positiveInteger)
  .option('--visits <n>', 'appointments per generated patient (records-sync; default 1 to 6)', positiveInteger)
  .option('--json', 'print one JSON object of the figures instead of the table')
  .option('--server <url>', 'PostgreSQL server whose llm_bench_* databases are (re)created', 'postgres://postgres@127.0.0.1:5432/postgres')
  .option('--no-record', 'do not append the result to docs/benchmarks.md')
  .action(async (name: string, options: { size?: number; duration?: number; visits?: number; json?: boolean; server: string; record: boolean }) => {
    const load = BENCHMARKS[name];
    if (!load) throw new InvalidArgumentError(`unknown benchmark "${name}": ${Object.keys(BENCHMARKS).join(', ')}`);
    const server = new pg.Client({ connectionString: options.server });
    await server.connect();
    const machine = await describeMachine(server).finally(() => server.end());
    const { run } = await load();
    const report = await run({
      size: options.size,
      duration: options.duration,
      visits: options.visits,
      serverUrl: options.server,
      log: (line) => process.stderr.write(`[${name}] ${line}\n`),
    });
    if (options.json) console.log(JSON.stringify({ benchmark: name, machine, ...report.figures }));
    else console.log(`\n${report.title}\n\n${formatTable(report.columns, report.rows)}\n\n${report.notes.map((n) => `- ${n}`).join('\n')}`);
    if (options.record) await appendToBenchmarks(`npm run bench -- ${process.argv.slice(2).join(' ')}`, machine, report);
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
}
