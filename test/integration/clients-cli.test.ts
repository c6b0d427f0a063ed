import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run clients (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'clients-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // A file-backed embedded database, so each command (its own process) sees the previous ones.
  const command = (file: string, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', file, ...args], {
      env: { ...process.env, NODE_ENV: 'test', EMBEDDED_DATA_DIR: path.join(dir, 'pglite'), DATABASE_URL: '', LLM_DATABASE_URL: '', LOG_LEVEL: 'silent' },
    });
  const cli = (...args: string[]) => command('src/cli/clients.ts', ...args);

  it('when a client is created, listed and revoked, then the key is printed once and never listed', async () => {
    const created = await cli('create', 'doctor-app', '--scopes', 'chat,search');
    const key = /llm_[0-9a-f]{12}_[\w-]{43}/.exec(created.stdout)?.[0];
    expect(key).toBeDefined();

    const listed = await cli('list');
    expect(listed.stdout).toMatch(/doctor-app\s+llm_[0-9a-f]{12}_…\s+chat,search .* active/);
    expect(listed.stdout).not.toContain(key!);

    const revoked = await cli('revoke', 'doctor-app');
    expect(revoked.stdout).toContain('Revoked doctor-app');
    expect((await cli('list')).stdout).toMatch(/doctor-app .* revoked/);
  });

  it('when the list is asked for as JSON, then it is one array with no key in it', async () => {
    const listed = JSON.parse((await cli('list', '--json')).stdout) as { name: string; keyPrefix: string; scopes: string[]; revokedAt: string | null }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'doctor-app', keyPrefix: expect.stringMatching(/^[0-9a-f]{12}$/), scopes: ['chat', 'search'], revokedAt: expect.any(String) })]);

    const migrations = JSON.parse((await command('src/cli/migrate.ts', '--status', '--json')).stdout) as { applied: string[]; status: { applied: string[]; pending: string[] } };
    expect(migrations).toMatchObject({ applied: [], status: { pending: [], applied: expect.arrayContaining(['0001_schema.sql']) } });
  });

  it('when the command is called wrongly, then it exits 2 (a usage error), not 1', async () => {
    await expect(cli('create', 'x', '--scopes', 'chat,root')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/scopes/) });
    await expect(cli('create', 'x')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/required option '--scopes/) });
    await expect(cli('list', '--yaml')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown option '--yaml'/) });
  });

  it('when the name is invalid or the client is unknown, then it exits 1 with a message', async () => {
    await expect(cli('create', 'Bad Name', '--scopes', 'chat')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/name/) });
    await expect(cli('revoke', 'nobody')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/No active client named "nobody"/) });
  });
});

describe('npm run db:migrate (CLI) with --json', () => {
  const migrateCli = (databaseUrl: string, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts', ...args], {
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl, DATABASE_CONNECT_TIMEOUT_MS: '1000', LOG_LEVEL: 'silent' },
    });

  it('when the database cannot be reached, then it exits 1 and stdout still holds one JSON object naming the error', async () => {
    const failed = await migrateCli('postgres://nobody@127.0.0.1:1/none', '--status', '--json').then(
      () => undefined,
      (caught: { code: number; stdout: string }) => caught,
    );
    expect(failed?.code).toBe(1);
    expect(JSON.parse(failed!.stdout)).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
  });
});
