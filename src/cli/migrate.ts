import { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { migrate, migrationStatus, readMigrationFiles } from '../db/migrations.js';
import { EXIT_FAILED, cliSetup, runCommand } from './cli-options.js';

/** `npm run db:migrate` applies pending migrations; `-- --status` only reports. */
const program = new Command()
  .name('db:migrate')
  .description('Apply the SQL migrations in sql/migrations to the configured database.')
  .option('--status', 'show applied and pending migrations without changing anything')
  .option('--json', 'print what was applied and the status as one JSON object')
  .action(applyMigrations);

async function applyMigrations(options: { status?: boolean; json?: boolean }): Promise<void> {
  const { config, logger } = cliSetup();
  const db = await openDatabase(config.database, logger);
  try {
    const files = await readMigrationFiles();
    const applied = options.status ? [] : await migrate(db.pool, files, logger);
    const status = await migrationStatus(db.pool, files);
    if (status.pending.length || status.mismatched.length) process.exitCode = EXIT_FAILED;
    if (options.json) {
      console.log(
        JSON.stringify({
          applied,
          status: {
            applied: status.applied.map((migration) => migration.name),
            pending: status.pending.map((file) => file.name),
            mismatched: status.mismatched.map((migration) => migration.name),
            unknown: status.unknown,
          },
        }),
      );
      return;
    }
    if (!options.status) console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the schema is current.');
    console.log(`${status.applied.length} applied, ${status.pending.length} pending${status.pending.length ? `: ${status.pending.map((f) => f.name).join(', ')}` : ''}`);
    if (status.mismatched.length) console.log(`Changed since applied: ${status.mismatched.map((m) => m.name).join(', ')}`);
    if (status.unknown.length) console.log(`Applied but unknown here: ${status.unknown.join(', ')}`);
  } finally {
    await db.close();
  }
}

await runCommand(program);
