import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { RecordsSyncReport } from '../ingest/records-sync/records-sync.js';
import { createServices } from '../services.js';
import { cliSetup, runCommand } from './cli-options.js';

/**
 * `npm run records:sync [-- --once] [-- --json]`: the records sync by hand, whatever
 * RECORDS_SYNC says. Without --once it runs every RECORDS_SYNC_INTERVAL_SECONDS until
 * interrupted, as the service would.
 */
const program = new Command()
  .name('records:sync')
  .description("Index patients' records from the platform's medical_records tables (docs/records-sync.md).")
  .option('--once', 'one run, then exit (status 1 when it failed or another replica holds the lock)')
  .option('--json', 'print each run as one JSON object')
  .action(async (options: { once?: boolean; json?: boolean }) => {
    const { config, logger } = cliSetup();
    const services = await createServices(config, logger);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    try {
      for (;;) {
        const report = await services.recordsSync.runOnce(stop.signal);
        print(report, options.json ?? false);
        if (options.once) {
          process.exitCode = report.outcome === 'succeeded' ? 0 : 1;
          break;
        }
        await sleep(config.recordsSync.intervalSeconds * 1000, undefined, { signal: stop.signal }).catch(() => undefined);
        if (stop.signal.aborted) break;
      }
    } finally {
      await services.close();
    }
  });

function print(report: RecordsSyncReport, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  const { documents: d } = report;
  console.log(
    `${report.finishedAt} ${report.outcome}: ${report.patientsChanged} patients changed, ${report.patientsWithDeletions} with deleted rows, ` +
      `${report.patientsIndexed} indexed, ${report.patientsRemoved} removed; ${report.rowsRead} rows read, ` +
      `${report.embeddingCalls} embedding calls; documents +${d.added} ~${d.updated} =${d.unchanged} -${d.deleted}; ${(report.ms / 1000).toFixed(1)} s`,
  );
  for (const problem of report.problems) console.log(`  skipped ${problem.table} ${problem.id}: ${problem.message}`);
  if (report.problemCount > report.problems.length) console.log(`  ... and ${report.problemCount - report.problems.length} more skipped rows (see the logs)`);
  if (report.error) console.log(`  error: ${report.error}`);
}

await runCommand(program);
