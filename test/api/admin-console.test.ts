import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { buildAdminConsole } from '../../scripts/build-admin-console.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { parseSse } from '../support/chat.js';
import { readJson } from '../support/http.js';
import { databaseBackends } from '../support/services.js';

const QUESTION = 'How do I reschedule an appointment to another day?';

let consoleDir: string;
beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(tmpdir(), 'admin-console-api-'));
  await buildAdminConsole(consoleDir);
});
afterAll(() => rm(consoleDir, { recursive: true, force: true }));

describe.each(databaseBackends())('admin console API on %s', (backend) => {
  let app: TestApp;
  let patientDoctor: string;

  beforeAll(async () => {
    app = await startTestApp(backend, { ADMIN_CONSOLE_DIR: consoleDir, INGEST_ALLOWED_ROOTS: 'examples' });
    // One module of the example docs, and one patient: enough to rank, answer and count.
    await app.services.ingest.reindex({ path: 'examples/docs/appointments', collection: 'examples/appointments', module: 'appointments' }, 'test');
    const [patient] = [...generatePatients({ patients: 1, doctors: 1, seed: 3 })];
    await app.services.ingest.pushRecords([patient!]);
    patientDoctor = patient!.doctorIds[0]!;
  });
  afterAll(() => app.close());

  /** A signed-in console: its cookie and CSRF token, as the browser would hold them. */
  async function signIn(apiKey = app.apiKey) {
    const response = await fetch(`${app.baseUrl}/v1/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey }),
    });
    const setCookie = response.headers.get('set-cookie') ?? '';
    const body = await readJson(response);
    return { status: response.status, body, setCookie, cookie: setCookie.split(';')[0]!, csrf: body.csrfToken as string };
  }

  const call = (route: string, init: { method?: string; cookie?: string; csrf?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${app.baseUrl}${route}`, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.csrf ? { 'x-csrf-token': init.csrf } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });

  describe('sign-in and the session', () => {
    it('when an admin key signs in, then an HttpOnly SameSite=Strict cookie opens the admin routes and the key is not in it', async () => {
      const session = await signIn();
      expect(session.status).toBe(200);
      expect(session.setCookie).toMatch(/^llm_admin_session=[\w-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
      expect(session.setCookie).not.toContain(app.apiKey);
      expect(session.body).toMatchObject({ client: { name: 'test-all-scopes', scopes: ['chat', 'search', 'admin'] } });
      expect(new Date(session.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 60_000);

      expect((await call('/v1/admin/index', { cookie: session.cookie })).status).toBe(200);
      expect(await readJson(await call('/v1/admin/session', { cookie: session.cookie }))).toMatchObject({ csrfToken: session.csrf });
    });

    it('when a key without the admin scope or a wrong key signs in, then 403 and 401, and no cookie', async () => {
      const { key } = await app.services.apiClients.create('doctor-app', ['chat', 'search']);
      const refused = await signIn(key);
      expect(refused.status).toBe(403);
      expect(refused.setCookie).toBe('');
      const wrong = await signIn(`llm_000000000000_${'x'.repeat(43)}`);
      expect(wrong.status).toBe(401);
    });

    it('when the sign-in comes from another origin, then 403 cross_origin', async () => {
      const response = await call('/v1/admin/session', { method: 'POST', body: { apiKey: app.apiKey }, headers: { origin: 'https://evil.example' } });
      expect(response.status).toBe(403);
      expect(await readJson(response)).toMatchObject({ code: 'cross_origin' });
    });

    it('when a state-changing call has the cookie but not the CSRF token, then 403 csrf_token_invalid; with it, it goes through', async () => {
      const { cookie, csrf } = await signIn();
      const body = { query: 'reschedule', k: 3 };
      for (const token of [undefined, 'not-the-token']) {
        const response = await call('/v1/admin/search/explain', { method: 'POST', cookie, body, ...(token ? { csrf: token } : {}) });
        expect(response.status).toBe(403);
        expect(await readJson(response)).toMatchObject({ code: 'csrf_token_invalid' });
      }
      expect((await call('/v1/admin/search/explain', { method: 'POST', cookie, csrf, body })).status).toBe(200);
    });

    it('when the cookie is sent to a route that is not admin, then it opens nothing (401)', async () => {
      const { cookie, csrf } = await signIn();
      const response = await call('/v1/search', { method: 'POST', cookie, csrf, body: { query: 'reschedule' } });
      expect(response.status).toBe(401);
    });

    it('when the key is revoked, then its sessions end', async () => {
      const { key } = await app.services.apiClients.create('second-admin', ['admin']);
      const { cookie } = await signIn(key);
      expect((await call('/v1/admin/jobs', { cookie })).status).toBe(200);
      await app.services.apiClients.revoke('second-admin');
      const response = await call('/v1/admin/jobs', { cookie });
      expect(response.status).toBe(401);
      expect(await readJson(response)).toMatchObject({ code: 'session_expired' });
    });

    it('when the console signs out, then the cookie is cleared and the session no longer works', async () => {
      const { cookie, csrf } = await signIn();
      const out = await call('/v1/admin/session', { method: 'DELETE', cookie, csrf });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^llm_admin_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
      expect((await call('/v1/admin/index', { cookie })).status).toBe(401);
    });
  });

  describe('the pages', () => {
    it('when a console page is opened without a session, then it redirects to sign-in, which is served', async () => {
      const page = await call('/admin/documents?q=x');
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/admin/sign-in?next=%2Fadmin%2Fdocuments%3Fq%3Dx');
      const signInPage = await call('/admin/sign-in');
      expect(signInPage.status).toBe(200);
      expect(await signInPage.text()).toContain('<script type="module" src="/admin/assets/app.js"></script>');
    });

    it('when a page is served, then its CSP allows no inline script and no framing, and the assets are served', async () => {
      const { cookie } = await signIn();
      const page = await call('/admin/search', { cookie });
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(await page.text()).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>/);

      const script = await call('/admin/assets/app.js');
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
      expect((await call('/admin/assets/missing.js')).status).toBe(404);
    });
  });

  describe('what the console reads', () => {
    it('when the index overview is read, then it gives the model, documentation per module, record counts only, the last job and readiness', async () => {
      const overview = await readJson(await call('/v1/admin/index', { headers: app.authHeaders() }));
      expect(overview.embedding).toEqual({ model: app.services.embedder.model, dimensions: 1536, generation: 1 });
      expect(overview.documentation).toEqual([expect.objectContaining({ collection: 'examples/appointments', module: 'appointments', documents: 7 })]);
      expect(overview.documentation[0].chunks).toBeGreaterThan(7);
      expect(overview.records).toMatchObject({ patients: 1 });
      expect(Object.keys(overview.records).sort()).toEqual(['chunks', 'patients', 'sources']);
      expect(overview.lastIngest).toMatchObject({ sourceKey: 'docs:examples/appointments', state: 'succeeded' });
      expect(overview.readiness.status).toMatch(/ready/);
      expect(overview.allowedRoots).toEqual(['examples']);
    });

    it('when documents are filtered by text, then only matching ones come, with their chunks; record chunks are never served', async () => {
      const { total, documents } = await readJson(await call('/v1/admin/documents?q=reschedul', { headers: app.authHeaders() }));
      expect(total).toBeGreaterThan(0);
      expect(documents.map((document: { sourceId: string }) => document.sourceId)).toContain('reschedule-appointment');
      expect(await readJson(await call('/v1/admin/documents?q=zebracorn', { headers: app.authHeaders() }))).toEqual({ total: 0, documents: [] });

      const { chunks } = await readJson(
        await call('/v1/admin/chunks?collection=examples/appointments&sourceId=reschedule-appointment', { headers: app.authHeaders() }),
      );
      expect(chunks.length).toBeGreaterThan(2);
      expect(chunks[0]).toMatchObject({ chunkIndex: 0, headingPath: ['Reschedule an appointment'] });
      expect(chunks[0].tokenCount).toBeGreaterThan(0);
      const one = await readJson(await call(`/v1/admin/chunks/${chunks[1].id}`, { headers: app.authHeaders() }));
      expect(one).toEqual(chunks[1]);

      const { rows } = await app.services.db.pool.query<{ id: string }>(`SELECT id FROM llm_assistant.docs_chunks WHERE source_kind = 'record' LIMIT 1`);
      expect((await call(`/v1/admin/chunks/${rows[0]!.id}`, { headers: app.authHeaders() })).status).toBe(404);
    });

    it('when a search is explained, then every chunk carries its ranks and the verdict says why; records never appear', async () => {
      const explain = (query: string, filters?: unknown) =>
        call('/v1/admin/search/explain', { method: 'POST', headers: app.authHeaders(), body: { query, k: 5, ...(filters ? { filters } : {}) } }).then(readJson);
      const found = await explain(QUESTION);
      expect(found.results).toHaveLength(5);
      expect(found.results[0]).toMatchObject({ doc: 'reschedule-appointment', module: 'appointments', ranking: { reason: 'both' } });
      expect(found.results[0].ranking).toEqual(
        expect.objectContaining({ vectorRank: expect.any(Number), lexicalRank: expect.any(Number), similarity: expect.any(Number), lexicalScore: expect.any(Number) }),
      );
      expect(found.evidence).toMatchObject({ refused: false, reason: 'at_or_above_floor', floorSource: 'corpus' });
      expect(found.evidence.evidence).toBeGreaterThanOrEqual(found.evidence.floor);

      const offTopic = await explain('Who won the 1998 football world cup?');
      expect(offTopic.evidence).toMatchObject({ refused: true });
      expect(['below_floor', 'no_hits']).toContain(offTopic.evidence.reason);

      // The patient's own words, asked for records: none, since the console searches as no doctor.
      const { rows } = await app.services.db.pool.query<{ content: string }>(`SELECT content FROM llm_assistant.docs_chunks WHERE source_kind = 'record' LIMIT 1`);
      const records = await explain(rows[0]!.content.slice(0, 200), { sourceKinds: ['record'] });
      expect(records.results).toEqual([]);
      expect(records.evidence).toMatchObject({ refused: true, reason: 'no_hits' });
    });

    it('when the chat is tried, then tokens stream and done gives citations, the standalone question, timings and cache state', async () => {
      const ask = async (message: string, conversationId?: string) => {
        const response = await call('/v1/admin/chat', {
          method: 'POST',
          headers: { ...app.authHeaders(), accept: 'text/event-stream' },
          body: { message, ...(conversationId ? { conversationId } : {}) },
        });
        expect(response.headers.get('content-type')).toContain('text/event-stream');
        return parseSse(await response.text());
      };
      const events = await ask(QUESTION);
      expect(events.filter((event) => event.event === 'token').length).toBeGreaterThan(1);
      const done = events.at(-1)!;
      expect(done.event).toBe('done');
      expect(done.data).toMatchObject({ cached: false, standaloneQuestion: QUESTION, modules: expect.arrayContaining(['appointments']) });
      const first = done.data as { conversationId: string; citations: { doc: string }[]; timings: Record<string, number | null> };
      expect(first.citations.map((citation) => citation.doc)).toContain('reschedule-appointment');
      expect(first.timings.totalMs).toBeGreaterThanOrEqual(first.timings.searchMs!);
      expect(first.timings.firstTokenMs).not.toBeNull();

      const followUp = (await ask('and can the patient be told?', first.conversationId)).at(-1)!.data as { standaloneQuestion: string; conversationId: string };
      expect(followUp.conversationId).toBe(first.conversationId);
      expect(followUp.standaloneQuestion).toContain(`(follow-up to: ${QUESTION})`);

      expect((await ask(QUESTION)).at(-1)!.data).toMatchObject({ cached: 'exact' });
      // The console's conversation is its own: the doctors' API does not open it.
      const asDoctor = await call(`/v1/conversations/${first.conversationId}`, { headers: app.authHeaders(patientDoctor) });
      expect(asDoctor.status).toBe(404);
    });

    it('when a re-index is followed by its events, then progress and the finished job arrive, and the job is listed', async () => {
      const started = await readJson(
        await call('/v1/admin/reindex', { method: 'POST', headers: app.authHeaders(), body: { path: 'examples/docs/billing', collection: 'examples/billing', module: 'billing' } }),
      );
      const stream = await call(`/v1/admin/jobs/${started.job.id}/events`, { headers: app.authHeaders() });
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      const events = parseSse(await stream.text());
      expect(events[0]).toMatchObject({ event: 'job', data: { id: started.job.id } });
      const last = events.at(-1)!;
      expect(last).toMatchObject({ event: 'job', data: { state: 'succeeded', summary: { documents: { added: 6 } } } });
      expect(last.data).toMatchObject({ progress: { documentsProcessed: 6, documentsTotal: 6 } });
      // Followed while it ran in this process: its reports came as they were made, the last one whole.
      expect(events[0]!.data).toMatchObject({ state: 'running' });
      const progress = events.filter((event) => event.event === 'progress').map((event) => event.data);
      expect(progress.at(-1)).toMatchObject({ documentsProcessed: 6, documentsTotal: 6, documents: { added: 6 } });

      const { jobs } = await readJson(await call('/v1/admin/jobs?limit=5', { headers: app.authHeaders() }));
      expect(jobs[0]).toMatchObject({ id: started.job.id, state: 'succeeded' });
      // A finished job's stream is one event.
      const again = parseSse(await (await call(`/v1/admin/jobs/${started.job.id}/events`, { headers: app.authHeaders() })).text());
      expect(again).toEqual([{ event: 'job', data: jobs[0] }]);
    });

    it('when the metrics summary is read, then routes have counts and percentiles, and refusals and cache lookups are counted', async () => {
      await call('/v1/search', { method: 'POST', headers: { ...app.authHeaders() }, body: { query: 'Who won the 1998 football world cup?' } });
      const summary = await readJson(await call('/v1/admin/metrics/summary', { headers: app.authHeaders() }));
      const index = summary.routes.find((route: { route: string; method: string }) => route.route === '/v1/admin/index' && route.method === 'GET');
      expect(index.requests).toBeGreaterThanOrEqual(1);
      expect(index.p50).toBeGreaterThan(0);
      expect(index.p99).toBeGreaterThanOrEqual(index.p50);
      expect(Object.values(summary.refusals).reduce((sum: number, count) => sum + (count as number), 0)).toBeGreaterThanOrEqual(1);
      expect(summary.cacheLookups.miss).toBeGreaterThanOrEqual(1);
      expect(summary.retrieval.searches).toBeGreaterThan(0);
    });

    it('when the OpenAPI document is read, then it lists the console endpoints', async () => {
      const { paths } = await readJson(await call('/openapi.json'));
      for (const route of ['/v1/admin/session', '/v1/admin/index', '/v1/admin/documents', '/v1/admin/chunks/{id}', '/v1/admin/jobs/{id}/events', '/v1/admin/search/explain', '/v1/admin/chat', '/v1/admin/metrics/summary']) {
        expect(paths, route).toHaveProperty([route]);
      }
    });
  });

  it('when the console is not built, then its pages answer 503 console_not_built, and the API still works', async () => {
    const page = path.join(consoleDir, 'index.html');
    await rename(page, `${page}.aside`);
    try {
      const { cookie } = await signIn();
      const response = await call('/admin', { cookie });
      expect(response.status).toBe(503);
      expect(await readJson(response)).toMatchObject({ code: 'console_not_built' });
      expect((await call('/v1/admin/index', { cookie })).status).toBe(200);
    } finally {
      await rename(`${page}.aside`, page);
    }
  });
});
