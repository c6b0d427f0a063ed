import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { createPlatformFixtureSchema, writePlatformPatients } from '../../src/ingest/records-sync/platform-fixture.js';
import { chatResponseHeaders, openAIErrorBody } from '../fixtures/openai/chat-completions.fixture.js';
import { DOCTOR_A, DOCTOR_B } from '../fixtures/chat-corpus.fixture.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { postChat, readJson } from '../support/chat.js';
import { FakeOpenAI, wholeAnswer } from '../support/fake-openai.js';
import { METRIC_PREFIX, seriesValue } from '../support/metrics.js';

/** A third doctor, who spends the doctor rate limit. */
const DOCTOR_C = '33333333-3333-4333-8333-333333333333';
const DOCTOR_LIMIT = 4;
/** promtool comes with Debian's `prometheus` package; .ci/run puts it on PATH. */
const HAS_PROMTOOL = spawnSync('promtool', ['--version']).error === undefined;

/**
 * Every metric the service declares is written by the action it counts: the service runs
 * against an OpenAI-compatible fake on loopback (embeddings and chat), indexes a folder,
 * searches, answers, fails and refuses; then /metrics is scraped once and linted.
 */
describe('metrics after the actions they count', () => {
  let app: TestApp;
  let upstream: FakeOpenAI;
  let scrape: string;

  beforeAll(async () => {
    upstream = await FakeOpenAI.start();
    upstream.embeddingsStatus = 200;
    const root = await mkdtemp(path.join(tmpdir(), 'metrics-'));
    const folder = path.join(root, 'docs', 'appointments');
    await mkdir(folder, { recursive: true });
    for (const file of ['_module.json', 'appointment-reminders.md', 'cancel-appointment-and-no-show.md']) {
      await cp(path.join('examples/docs/appointments', file), path.join(folder, file));
    }
    app = await startTestApp('pglite', {
      OPENAI_API_KEY: 'sk-test-fake-key',
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_MAX_RETRIES: '0',
      OPENAI_TIMEOUT_MS: '5000',
      // The fake's vectors are random: no corpus floor, so only an empty result is refused.
      SEARCH_MIN_SIMILARITY: '-1',
      RATE_LIMIT_DOCTOR_PER_MINUTE: String(DOCTOR_LIMIT),
      INGEST_ALLOWED_ROOTS: root,
    });
    const post = (route: string, body: unknown, doctorId?: string) =>
      fetch(`${app.baseUrl}${route}`, {
        method: 'POST',
        headers: { ...app.authHeaders(doctorId), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const { job } = await readJson<{ job: { id: string } }>(await post('/v1/admin/reindex', { path: path.join(root, 'docs') }));
    for (let state = 'running'; state === 'running'; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const response = await fetch(`${app.baseUrl}/v1/admin/jobs/${job.id}`, { headers: app.authHeaders() });
      // A status read may answer 503 while the embedded database writes a batch.
      if (response.status !== 503) state = (await readJson<{ state: string }>(response)).state;
    }

    await createPlatformFixtureSchema(app.services.db.pool);
    await writePlatformPatients(app.services.db.pool, [...generatePatients({ patients: 2, doctors: 1, seed: 7 })]);
    expect((await app.services.recordsSync.runOnce()).outcome).toBe('succeeded');

    expect((await post('/v1/search', { query: 'When are reminders sent?' }, DOCTOR_A)).status).toBe(200);
    const refused = await readJson<{ results: unknown[] }>(
      await post('/v1/search', { query: 'When are reminders sent?', filters: { modules: ['no-such-module'] } }, DOCTOR_A),
    );
    expect(refused.results).toEqual([]);

    upstream.chatReply = wholeAnswer(['Reminders go out 48 hours', ' and 24 hours before [1].']);
    for (const doctor of [DOCTOR_A, DOCTOR_B]) {
      expect((await postChat(app, doctor, { message: 'When does the platform send appointment reminders?' })).status).toBe(200);
    }
    upstream.chatReply = (_body, res) => {
      res.writeHead(500, chatResponseHeaders()).end(JSON.stringify(openAIErrorBody('server_error')));
    };
    expect((await postChat(app, DOCTOR_A, { message: 'How is a no-show recorded?' })).status).toBe(503);

    const statuses: number[] = [];
    for (let request = 0; request <= DOCTOR_LIMIT; request += 1) {
      statuses.push((await post('/v1/search', { query: 'reminders' }, DOCTOR_C)).status);
    }
    expect(statuses.at(-1)).toBe(429);

    scrape = await (await fetch(`${app.baseUrl}/metrics`)).text();
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
  });

  it('when documents are indexed, then embedding calls and tokens for ingest and the documents processed are there', () => {
    const ingest = { model: 'text-embedding-3-small', purpose: 'ingest' };
    expect(seriesValue(scrape, 'embedding_calls_total', ingest)).toBeGreaterThan(0);
    expect(seriesValue(scrape, 'embedding_tokens_total', ingest)).toBeGreaterThan(0);
    expect(seriesValue(scrape, 'ingest_job_documents_processed', { kind: 'docs' })).toBe(2);
  });

  it('when questions are searched and asked, then query embedding calls and tokens are there', () => {
    const query = { model: 'text-embedding-3-small', purpose: 'query' };
    expect(seriesValue(scrape, 'embedding_calls_total', query)).toBeGreaterThan(0);
    expect(seriesValue(scrape, 'embedding_tokens_total', query)).toBeGreaterThan(0);
  });

  it('when the model answers and fails, then its calls, tokens, latency and failures by kind are there', () => {
    const answer = { model: 'gpt-4o-mini', operation: 'answer' };
    // The first question and the failed one; the second asker's answer came from the cache.
    expect(seriesValue(scrape, 'chat_model_calls_total', answer)).toBe(2);
    expect(seriesValue(scrape, 'chat_model_tokens_total', { ...answer, type: 'prompt' })).toBeGreaterThan(0);
    expect(seriesValue(scrape, 'chat_model_tokens_total', { ...answer, type: 'completion' })).toBeGreaterThan(0);
    expect(seriesValue(scrape, 'chat_model_call_duration_seconds_count', { ...answer, outcome: 'ok' })).toBe(1);
    expect(seriesValue(scrape, 'chat_model_call_duration_seconds_count', { ...answer, outcome: 'failed' })).toBe(1);
    expect(seriesValue(scrape, 'chat_model_failures_total', { ...answer, kind: 'server_error' })).toBe(1);
  });

  it('when the same question is asked twice, then a cache miss and an exact hit are counted', () => {
    expect(seriesValue(scrape, 'answer_cache_lookups_total', { result: 'exact_hit' })).toBe(1);
    expect(seriesValue(scrape, 'answer_cache_lookups_total', { result: 'miss' })).toBe(2);
  });

  it('when a search finds nothing, then the refusal is counted with its reason', () => {
    expect(seriesValue(scrape, 'search_refusals_total', { reason: 'no_hits' })).toBe(1);
  });

  it('when a doctor goes over the rate limit, then the 429 is counted by route', () => {
    expect(seriesValue(scrape, 'http_rate_limited_total', { method: 'POST', route: '/v1/search' })).toBe(1);
    expect(seriesValue(scrape, 'http_requests_total', { method: 'GET', route: '/v1/admin/jobs/:id', status: '200' })).toBeGreaterThan(0);
  });

  it('when the records sync has run, then its runs, duration, rows, patients and lag are there', () => {
    expect(seriesValue(scrape, 'records_sync_runs_total', { outcome: 'succeeded' })).toBe(1);
    expect(seriesValue(scrape, 'records_sync_run_duration_seconds_count', { outcome: 'succeeded' })).toBe(1);
    expect(seriesValue(scrape, 'records_sync_rows_read_total')).toBeGreaterThan(0);
    expect(seriesValue(scrape, 'records_sync_patients_total', { change: 'indexed' })).toBe(2);
    expect(scrape).toMatch(/^llm_assistant_records_sync_patients_total\{change="removed"\} 0$/m);
    expect(scrape).toMatch(/^llm_assistant_records_sync_rows_skipped_total 0$/m);
    const lag = seriesValue(scrape, 'records_sync_lag_seconds');
    expect(lag).toBeGreaterThan(0);
    expect(lag).toBeLessThan(600);
  });

  it('when the scrape is read, then every series carries the one prefix', () => {
    const names = scrape.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split(/[{ ]/)[0]);
    expect(names.filter((name) => !name?.startsWith(METRIC_PREFIX))).toEqual([]);
  });

  it.runIf(HAS_PROMTOOL || process.env.CI === 'true')('when promtool checks the scrape, then it reports no problem', () => {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});
