import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_EMBEDDER } from '../support/services.js';

const run = promisify(execFile);

/** `npm start`'s environment on an empty in-memory database with no Redis, on `port`. */
function embeddedServiceEnv(port: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...FAST_EMBEDDER,
    NODE_ENV: 'test',
    EMBEDDED_DATA_DIR: 'memory://',
    INDEX_EXAMPLES_ON_START: 'false',
    HOST: '127.0.0.1',
    PORT: port,
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;
  delete env.LLM_DATABASE_URL;
  delete env.REDIS_URL;
  return env;
}

describe('start-up failures in the logs', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('when the port is in use, then start-up exits non-zero and its log line says why (EADDRINUSE, the address)', async () => {
    const env = embeddedServiceEnv(String(port));

    const failure = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, timeout: 60_000 }).then(
      () => undefined,
      (caught: { code: number; stdout: string; stderr: string }) => caught,
    );

    expect(failure?.code).not.toBe(0);
    const lines = failure!.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; msg: string; err?: Record<string, unknown> });
    const fatal = lines.find((line) => line.level === 60);
    expect(fatal, failure!.stdout).toBeDefined();
    expect(fatal!.err).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', reason: expect.stringContaining(`address already in use 127.0.0.1:${port}`) });
    expect(fatal!.msg).toMatch(/cannot listen/);
  });

  it('when the database has no key and no documentation, then start-up logs how to create one and what to ingest', async () => {
    const env = embeddedServiceEnv('0');

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('"msg":"listening"')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
      });
    } finally {
      child.kill('SIGTERM');
    }
    const warnings = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40).map((line) => line.msg);
    expect(warnings).toEqual([expect.stringContaining('npm run clients -- create'), expect.stringContaining('npm run ingest -- docs')]);
  });
});
