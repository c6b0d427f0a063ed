import { Command, InvalidArgumentError } from 'commander';
import { openDatabase } from '../db/database.js';
import { assertSchemaCurrent, migrate, migrationStatus, readMigrationFiles } from '../db/migrations.js';
import { ApiClientsRepository, API_SCOPES } from '../security/api-clients.repository.js';
import { ApiClientsService } from '../security/api-clients.service.js';
import { cliSetup, runCommand } from './cli-options.js';

/**
 * `npm run clients -- create <name> --scopes chat,search`, `list`, `revoke <name>`:
 * API keys of the apps that call the service. A key is printed once, at creation; only
 * its hash is stored. A revocation applies to the next request (keys are not cached).
 */
const program = new Command().name('clients').description('Manage the API clients (calling apps) of the service.');

program
  .command('create')
  .description('create a client and print its API key (once)')
  .argument('<name>', 'name of the calling app, e.g. doctor-app')
  .requiredOption('--scopes <list>', `comma-separated scopes among ${API_SCOPES.join(', ')}`, parseScopes)
  .action(async (name: string, options: { scopes: string[] }) => {
    await withClients(async (clients) => {
      const { client, key } = await clients.create(name, options.scopes);
      console.log(`Created client ${client.name} (${client.id}) with scopes ${client.scopes.join(',')}.`);
      console.log('API key (shown once, store it now; send it as `Authorization: Bearer <key>`):');
      console.log(key);
    });
  });

program
  .command('list')
  .description('list clients, active and revoked (never their keys)')
  .option('--json', 'print the clients as one JSON array')
  .action(async (options: { json?: boolean }) => {
    await withClients(async (clients) => {
      const rows = await clients.list();
      if (options.json) {
        console.log(JSON.stringify(rows.map(({ id, name, keyPrefix, scopes, createdAt, revokedAt }) => ({ id, name, keyPrefix, scopes, createdAt, revokedAt }))));
        return;
      }
      if (rows.length === 0) console.log('No clients yet: `npm run clients -- create <name> --scopes ...`.');
      for (const client of rows) {
        const state = client.revokedAt ? `revoked ${client.revokedAt.toISOString()}` : 'active';
        console.log(
          `${client.name.padEnd(24)} llm_${client.keyPrefix}_…  ${client.scopes.join(',').padEnd(18)} created ${client.createdAt.toISOString()}  ${state}`,
        );
      }
    });
  });

program
  .command('revoke')
  .description('revoke the active client of that name')
  .argument('<name>', 'name of the client whose key stops working')
  .action(async (name: string) => {
    await withClients(async (clients) => {
      const revoked = await clients.revoke(name);
      if (!revoked) throw new Error(`No active client named "${name}".`);
      console.log(`Revoked ${revoked.name} (${revoked.id}); its key is refused from the next request on.`);
    });
  });

/** Opens the database as the service does: migrate when configured to, refuse an outdated schema. */
async function withClients(work: (clients: ApiClientsService) => Promise<void>): Promise<void> {
  const { config, logger } = cliSetup();
  const db = await openDatabase(config.database, logger);
  try {
    const migrations = await readMigrationFiles();
    if (config.database.migrateOnStart) await migrate(db.pool, migrations, logger);
    assertSchemaCurrent(await migrationStatus(db.pool, migrations));
    await work(new ApiClientsService(new ApiClientsRepository(db.pool)));
  } finally {
    await db.close();
  }
}

function parseScopes(value: string): string[] {
  const scopes = value.split(',').map((scope) => scope.trim()).filter(Boolean);
  const unknown = scopes.filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${API_SCOPES.join(', ')}`);
  }
  return scopes;
}

await runCommand(program);
