import { cp, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { readJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseBackends } from '../support/services.js';

describe.each(databaseBackends())('admin API on %s', (backend) => {
  let app: TestApp;
  let root: string;
  let folder: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'admin-'));
    folder = path.join(root, 'docs');
    await cp('examples/docs', folder, { recursive: true });
    app = await startTestApp(backend, { INGEST_ALLOWED_ROOTS: root });
  });
  afterAll(() => app.close());

  const post = (route: string, body: unknown) =>
    fetch(`${app.baseUrl}${route}`, {
      method: 'POST',
      headers: { ...app.authHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function waitForJob(id: string): Promise<{ state: string; summary: Record<string, unknown> | null; error: string | null }> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const response = await fetch(`${app.baseUrl}/v1/admin/jobs/${id}`, { headers: app.authHeaders() });
      // The embedded database is one session: while a batch is written, a status read may
      // answer 503 with Retry-After, and a client polls again, as here.
      const job = await readJson(response);
      if (response.status !== 503 && job.state !== 'running') return job;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`job ${id} did not finish`);
  }

  it('when a re-index is requested, then it answers 202 at once and the job finishes with counts', async () => {
    const response = await post('/v1/admin/reindex', { path: folder, collection: 'admin/docs' });
    expect(response.status).toBe(202);
    const { job: deprecatedCopy, statusUrl, ...job } = await readJson(response);
    expect(job.state).toBe('running');
    expect(deprecatedCopy).toEqual(job);
    expect(response.headers.get('location')).toBe(statusUrl);
    // The job as GET /v1/admin/jobs/{id} returns it: the same fields.
    const status = await readJson(await fetch(`${app.baseUrl}${statusUrl}`, { headers: app.authHeaders() }));
    expect(Object.keys(status).sort()).toEqual(Object.keys(job).sort());

    const finished = await waitForJob(job.id);
    expect(finished, JSON.stringify(finished)).toMatchObject({ state: 'succeeded' });
    expect(finished.summary).toMatchObject({ documents: { added: 39 }, collection: 'admin/docs' });

    const again = await waitForJob((await readJson(await post('/v1/admin/reindex', { path: folder, collection: 'admin/docs' }))).id);
    expect(again.summary).toMatchObject({ embeddingCalls: 0, documents: { unchanged: 39 } });
  });

  it('when two re-indexes of the same folder are requested at once, then the second gets 409 job_already_running', async () => {
    const [first, second] = await Promise.all([
      post('/v1/admin/reindex', { path: folder, collection: 'admin/race' }),
      post('/v1/admin/reindex', { path: folder, collection: 'admin/race' }),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([202, 409]);
    const conflict = first.status === 409 ? first : second;
    expect(await readJson(conflict)).toMatchObject({ code: 'job_already_running' });
    const accepted = first.status === 202 ? first : second;
    await waitForJob((await readJson(accepted)).job.id);
  });

  it('when the folder is outside the allowed roots, then 400 path_not_allowed and no job', async () => {
    const response = await post('/v1/admin/reindex', { path: '/etc' });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: 'path_not_allowed' });
  });

  it('when the CLI indexes a folder outside the allowed roots, then it is indexed: the roots bound the API only', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'cli-docs-'));
    await cp('examples/docs/settings', path.join(outside, 'settings'), { recursive: true });
    const { job, summary } = await app.services.ingest.reindex({ path: outside, collection: 'cli/outside' }, 'cli');
    expect(job.state).toBe('succeeded');
    expect(summary?.documents.added).toBeGreaterThan(0);
  });

  it('when symbolic links lead out of the allowed roots or the folder, then they are not followed and the report names them', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'outside-'));
    await writeFile(path.join(outside, 'secret.md'), '# Payroll\n\nThe zebracorn payroll password is kept here.');
    const docs = path.join(root, 'linked');
    await mkdir(path.join(docs, 'guides'), { recursive: true });
    await writeFile(path.join(docs, 'guides', 'booking.md'), '# Booking\n\nOpen the calendar and pick a free slot.');
    await symlink(path.join(outside, 'secret.md'), path.join(docs, 'guides', 'secret.md'));
    await symlink(outside, path.join(docs, 'outside'));
    await symlink(path.join(docs, 'guides', 'booking.md'), path.join(docs, 'guides', 'alias.md'));
    await symlink(outside, path.join(root, 'escape'));

    // The folder asked for leaves the roots through a link: refused, like a path outside them.
    for (const through of [path.join(root, 'escape'), path.join(root, 'linked', 'outside')]) {
      const refused = await post('/v1/admin/reindex', { path: through, collection: 'admin/escape' });
      expect(refused.status, through).toBe(400);
      expect(await readJson(refused)).toMatchObject({ code: 'path_not_allowed' });
    }

    const job = await waitForJob((await readJson(await post('/v1/admin/reindex', { path: docs, collection: 'admin/linked' }))).job.id);
    expect(job.state).toBe('succeeded');
    expect(job.summary).toMatchObject({ documents: { added: 1 } });
    const skipped = (job.summary as { skipped: { path: string; reason: string }[] }).skipped.map(({ path: at, reason }) => [at, reason]);
    expect(skipped).toEqual(
      expect.arrayContaining([
        ['guides/secret.md', 'symlink_outside_folder'],
        ['outside', 'symlink_outside_folder'],
        ['guides/alias.md', 'symlink'],
      ]),
    );
    // The CLI (no roots) does not follow them either, and its summary says so.
    const cli = await app.services.ingest.reindex({ path: docs, collection: 'cli/linked' }, 'cli');
    expect(cli.summary?.skipped.map((entry) => entry.reason)).toEqual(expect.arrayContaining(['symlink_outside_folder', 'symlink']));
    const { rows } = await app.services.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM llm_assistant.docs_chunks WHERE content LIKE '%zebracorn%'`);
    expect(rows[0]!.n).toBe(0);
  });

  it('when a job id is unknown, then 404 in the problem shape', async () => {
    const response = await fetch(`${app.baseUrl}/v1/admin/jobs/00000000-0000-4000-8000-000000000000`, { headers: app.authHeaders() });
    expect(response.status).toBe(404);
    expect(await readJson(response)).toMatchObject({ code: 'not_found' });
  });

  it('when patients are pushed, then their records are indexed and searchable by their doctor only', async () => {
    const [patient] = [...generatePatients({ patients: 1, doctors: 2, seed: 11 })];
    const response = await post('/v1/admin/records', { patients: [patient] });
    expect(response.status).toBe(200);
    const summary = await readJson(response);
    expect(summary).toMatchObject({ patients: 1 });
    expect(summary.documents.added).toBeGreaterThan(2);

    const { rows } = await app.services.db.pool.query<{ allowed: string[] }>(
      `SELECT DISTINCT allowed_doctor_ids::text[] AS allowed FROM llm_assistant.docs_chunks WHERE patient_id = $1`,
      [patient!.patient.id],
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]!.allowed).toEqual(expect.arrayContaining(patient!.doctorIds));
  });

  it('when one patient in a batch is invalid, then 400 names the field and nothing of the batch is written', async () => {
    const patients = [...generatePatients({ patients: 2, doctors: 2, seed: 12 })];
    const broken = structuredClone(patients) as unknown as { allergies: { severity: string }[] }[];
    broken[1]!.allergies = [{ ...(patients[1]!.allergies[0] ?? { id: crypto.randomUUID(), allergen: 'latex', reaction: 'rash' }), severity: 'extreme' }];

    const response = await post('/v1/admin/records', { patients: broken });

    expect(response.status).toBe(400);
    const problem = await readJson(response);
    expect(problem.errors.map((error: { path: string }) => error.path)).toContain('patients.1.allergies.0.severity');
    const { rowCount } = await app.services.db.pool.query(`SELECT 1 FROM llm_assistant.sources WHERE patient_id = ANY ($1)`, [
      patients.map((patient) => patient.patient.id),
    ]);
    expect(rowCount).toBe(0);
  });
  it.each<[string, (patients: Record<string, Record<string, unknown>>[]) => unknown[], string]>([
    ['the same patient twice', (patients) => [patients[0], patients[1], { ...patients[0] }], 'patients.2.patient.id'],
    ['a first name of zero-width spaces', (patients) => [{ ...patients[0], patient: { ...patients[0]!.patient, firstName: '\u200b\u200b' } }], 'patients.0.patient.firstName'],
    ['a last name of Hangul fillers', (patients) => [{ ...patients[0], patient: { ...patients[0]!.patient, lastName: '\u3164\u115f' } }], 'patients.0.patient.lastName'],
    ['a birth date in the future', (patients) => [{ ...patients[0], patient: { ...patients[0]!.patient, dateOfBirth: `${new Date().getUTCFullYear() + 1}-01-01` } }], 'patients.0.patient.dateOfBirth'],
    ['a birth date in year 0000', (patients) => [{ ...patients[0], patient: { ...patients[0]!.patient, dateOfBirth: '0000-01-01' } }], 'patients.0.patient.dateOfBirth'],
  ])('when a batch has %s, then 400 names the field and nothing is written', async (_name, build, field) => {
    const patients = [...generatePatients({ patients: 2, doctors: 2, seed: 13 })] as unknown as Record<string, Record<string, unknown>>[];

    const response = await post('/v1/admin/records', { patients: build(patients) });

    expect(response.status).toBe(400);
    const problem = await readJson(response);
    expect(problem.errors.map((error: { path: string }) => error.path)).toContain(field);
    const { rowCount } = await app.services.db.pool.query(`SELECT 1 FROM llm_assistant.sources WHERE patient_id = ANY ($1)`, [
      patients.map((patient) => patient.patient!.id),
    ]);
    expect(rowCount).toBe(0);
  });
});
