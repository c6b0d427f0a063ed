import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { FAST_EMBEDDER } from '../support/services.js';

const run = promisify(execFile);

describe('npm run ingest -- records (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'records-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('when line 4 of the file escapes a NUL character, then the run stops naming line and field, and no patient is written', async () => {
    const patients = [...generatePatients({ patients: 5, doctors: 2, seed: 31 })];
    patients[3]!.patient.lastName = 'Dupont\u0000';
    const file = path.join(dir, 'patients.jsonl');
    await writeFile(file, patients.map((patient) => JSON.stringify(patient)).join('\n'));
    const dataDir = path.join(dir, 'pglite');
    const env = { ...process.env, ...FAST_EMBEDDER, NODE_ENV: 'test', EMBEDDED_DATA_DIR: dataDir, DATABASE_URL: '', LLM_DATABASE_URL: '', LOG_LEVEL: 'silent' };

    const failure = await run(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', 'records', file, '--batch', '1', '--json'], { env }).then(
      () => undefined,
      (caught: { code: number; stderr: string }) => caught,
    );

    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`${file}:4: invalid patient record`);
    expect(failure?.stderr).toContain('patient.lastName: must not contain U+0000');
    const services = await createServices(loadConfig({ ...FAST_EMBEDDER, EMBEDDED_DATA_DIR: dataDir, INDEX_EXAMPLES_ON_START: 'false' }), createLogger('silent'));
    try {
      const { rows } = await services.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM llm_assistant.sources WHERE source_kind = 'record'`);
      expect(rows[0]!.n).toBe(0);
    } finally {
      await services.close();
    }
  });
});
