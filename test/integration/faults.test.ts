import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, realDatabaseUrl, type TestDatabase } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const MEDQUAD = path.resolve('../shared/datasets/medquad/docs');
const realDatabase = realDatabaseUrl();

// These faults need a real server to cut off or a process to kill; PGlite lives in-process.
describe.runIf(realDatabase)('PostgreSQL going away and coming back', () => {
  let app: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const server = new URL(realDatabase!);
    proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
    app = await startTestApp(
      'postgres',
      { DATABASE_CONNECT_TIMEOUT_MS: '1000' },
      {
        mapDatabaseUrl: (url) => {
          const viaProxy = new URL(url);
          viaProxy.host = `127.0.0.1:${proxy.port}`;
          return viaProxy.toString();
        },
      },
    );
  });
  afterAll(async () => {
    await app.close();
    await proxy.cut();
  });

  it('when the database is down, then requests get 503 database_unavailable; when it returns, they work without a restart', async () => {
    const search = () =>
      fetch(`${app.baseUrl}/v1/modules/detect`, {
        method: 'POST',
        headers: { ...app.authHeaders(), 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'how do I book an appointment' }),
      });
    expect((await search()).status).toBe(200);

    await proxy.cut();
    const down = await search();
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeTruthy();
    expect(await readJson(down)).toMatchObject({ code: 'database_unavailable' });
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect((await readJson(ready)).checks.database.status).toBe('down');

    await proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt += 1) {
      status = (await search()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  });
});

describe.runIf(realDatabase)('a re-index killed with kill -9', () => {
  let database: TestDatabase;
  let folder: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    // A few hundred real documents: enough for the run to be killed halfway.
    folder = path.join(await mkdtemp(path.join(tmpdir(), 'kill-')), 'docs');
    for (const source of ['GHR', 'NINDS']) {
      const names = (await readdir(path.join(MEDQUAD, source))).sort().slice(0, 250);
      await mkdir(path.join(folder, source), { recursive: true });
      for (const name of names) await cp(path.join(MEDQUAD, source, name), path.join(folder, source, name));
    }
  });
  afterAll(() => database.drop());

  const env = () => ({
    ...process.env,
    DATABASE_URL: database.url!,
    MIGRATE_ON_START: 'true',
    INGEST_ALLOWED_ROOTS: path.dirname(folder),
    INGEST_JOB_STALE_SECONDS: '2',
    LOG_LEVEL: 'silent',
  });

  function ingest(): ReturnType<typeof spawn> {
    return spawn(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', 'docs', folder, '--collection', 'kill/docs', '--json'], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  it('when the process dies mid-run, then every source is at its old or new version, and a re-run completes', async () => {
    const client = new pg.Client({ connectionString: database.url! });
    await client.connect();
    try {
      const child = ingest();
      // Kill it once some sources, but not all, are written.
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const written = await client
          .query<{ n: number }>(`SELECT count(*)::int AS n FROM llm_assistant.sources`)
          .then((result) => result.rows[0]!.n, () => 0);
        if (written >= 64) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const { rows } = await client.query<{ source_id: string; chunk_count: number; stored: number }>(
        `SELECT s.source_id, s.chunk_count, count(c.id)::int AS stored FROM llm_assistant.sources s
         LEFT JOIN llm_assistant.docs_chunks c USING (source_kind, collection, source_id) GROUP BY 1, 2`,
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThan(500);
      for (const row of rows) expect(row.stored, row.source_id).toBe(row.chunk_count);

      // The dead job holds the lock only until its heartbeat is stale.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const rerun = ingest();
      let output = '';
      rerun.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise((resolve) => rerun.once('exit', resolve));
      expect(code).toBe(0);
      const summary = JSON.parse(output) as { documents: { added: number; unchanged: number } };
      expect(summary.documents.added + summary.documents.unchanged).toBe(500);
      expect(summary.documents.unchanged).toBe(rows.length);

      const jobs = await client.query<{ state: string; error: string | null }>(
        `SELECT state, error FROM llm_assistant.ingest_jobs ORDER BY created_at`,
      );
      expect(jobs.rows.map((job) => job.state)).toEqual(['failed', 'succeeded']);
      expect(jobs.rows[0]!.error).toMatch(/no heartbeat/);
    } finally {
      await client.end();
    }
    // Two CLI runs of 500 documents, each starting Node with tsx and migrating.
  }, 180_000);
});
