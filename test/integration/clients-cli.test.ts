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
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/clients.ts', ...args], {
      env: { ...process.env, NODE_ENV: 'test', EMBEDDED_DATA_DIR: path.join(dir, 'pglite'), DATABASE_URL: '', LLM_DATABASE_URL: '', LOG_LEVEL: 'silent' },
    });

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

  it('when the scopes or the name are invalid, or the client is unknown, then it exits 1 with a message', async () => {
    await expect(cli('create', 'x', '--scopes', 'chat,root')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/scopes/) });
    await expect(cli('create', 'Bad Name', '--scopes', 'chat')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/name/) });
    await expect(cli('revoke', 'nobody')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/No active client named "nobody"/) });
  });
});
