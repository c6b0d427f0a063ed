import { Command } from 'commander';
import { loadConfigFromProcess } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate, migrationStatus, readMigrationFiles } from '../db/migrations.js';
import { createLogger } from '../logger.js';

/** `npm run db:migrate` applies pending migrations; `-- --status` only reports. */
const program = new Command()
  .name('db:migrate')
  .description('Apply the SQL migrations in sql/migrations to the configured database.')
  .option('--status', 'show applied and pending migrations without changing anything')
  .action(async (options: { status?: boolean }) => {
    const config = loadConfigFromProcess();
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
    const db = await openDatabase(config.database, logger);
    try {
      const files = await readMigrationFiles();
      if (!options.status) {
        const applied = await migrate(db.pool, files, logger);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the schema is current.');
      }
      const status = await migrationStatus(db.pool, files);
      console.log(`${status.applied.length} applied, ${status.pending.length} pending${status.pending.length ? `: ${status.pending.map((f) => f.name).join(', ')}` : ''}`);
      if (status.mismatched.length) console.log(`Changed since applied: ${status.mismatched.map((m) => m.name).join(', ')}`);
      if (status.unknown.length) console.log(`Applied but unknown here: ${status.unknown.join(', ')}`);
      if (status.pending.length || status.mismatched.length) process.exitCode = 1;
    } finally {
      await db.close();
    }
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
