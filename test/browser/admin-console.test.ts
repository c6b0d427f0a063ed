import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { buildAdminConsole } from '../../scripts/build-admin-console.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { parseSse } from '../support/chat.js';
import { databaseBackends } from '../support/services.js';

/**
 * The admin console in a real headless Chromium (Debian's package, driven by
 * playwright-core; nothing is downloaded). Outside CI a machine without Chromium skips it;
 * under CI=true a missing browser fails the run (.ci/run installs it).
 * ADMIN_CONSOLE_SCREENSHOTS=<folder> saves a PNG of each page (docs/images holds them).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') throw new Error(`CI=true but Chromium is missing at ${CHROMIUM} (.ci/run installs it)`);
const SCREENSHOTS = process.env.ADMIN_CONSOLE_SCREENSHOTS;

const QUESTION = 'How do I reschedule an appointment to another day?';

describe.skipIf(!available)('admin console in headless Chromium', () => {
  const backend = databaseBackends().at(-1)!;
  let app: TestApp;
  let consoleDir: string;
  let browser: Browser;
  let page: Page;
  let chatOnlyKey: string;
  // Everything the browser reported as wrong (CSP violations included), checked at the end.
  const problems: string[] = [];

  beforeAll(async () => {
    consoleDir = await mkdtemp(path.join(tmpdir(), 'admin-console-'));
    await buildAdminConsole(consoleDir);
    // The example docs are indexed through the console itself, from the repository's folder.
    app = await startTestApp(backend, { ADMIN_CONSOLE_DIR: consoleDir, INGEST_ALLOWED_ROOTS: 'examples' });
    ({ key: chatOnlyKey } = await app.services.apiClients.create('main-app', ['chat', 'search']));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 860 }, baseURL: app.baseUrl });
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await rm(consoleDir, { recursive: true, force: true });
  });

  const shoot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `admin-${name}.png`), fullPage: true });
  };
  const nav = (name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  // By keyboard: the key field has the focus, Enter submits.
  const signIn = async (key: string) => {
    await page.getByLabel('Admin API key').waitFor();
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
  };

  it('when a page is opened without a session, then it redirects to sign-in; a key without the admin scope is refused there', async () => {
    await page.goto('/admin/search');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/admin/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin/search');
    await shoot('sign-in');

    await signIn(chatOnlyKey);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('no admin scope');
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
  });

  it('when an admin key signs in, then the index page shows the model, readiness and record counts, and the key is kept nowhere', async () => {
    await page.goto('/admin/sign-in');
    await signIn(app.apiKey);
    await page.getByRole('heading', { name: 'Embedding' }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain(app.services.embedder.model);
    expect(text).toMatch(/Readiness\s+ready/);
    expect(text).toContain('Record chunks');

    // In the page (a string: this file is compiled without the DOM's types): all a script could read.
    const stored = String(await page.evaluate('[document.cookie, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })].join(" ")'));
    expect(stored).not.toContain(app.apiKey);
    const [cookie] = (await page.context().cookies()).filter((entry) => entry.name === 'llm_admin_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('when the example docs are re-indexed, then the progress reaches every document and the job ends succeeded with its counts', async () => {
    await nav('Re-index');
    await page.getByLabel('Folder').fill('examples/docs');
    await page.getByRole('button', { name: 'Start re-index' }).click();
    const live = page.locator('section.live-job');
    await live.getByText('succeeded').waitFor({ timeout: 60_000 });
    const progress = live.locator('progress');
    expect(await progress.getAttribute('value')).toBe(await progress.getAttribute('max'));
    const report = await live.innerText();
    expect(report).toMatch(/39 \/ 39 documents/);
    expect(report).toContain('39 added');
    expect(report).toContain('Skipped files (0)');
    await expect.poll(() => page.locator('table tbody tr').first().innerText()).toContain('docs:examples/docs');
    await shoot('reindex');

    await nav('Index');
    await expect.poll(() => page.locator('main table').innerText()).toContain('appointments');
    await shoot('index');
  });

  it('when a question is searched, then each chunk shows its ranks, similarity, fused score and reason, with the decision', async () => {
    await nav('Search debug');
    await page.getByLabel('Query').fill(QUESTION);
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('table.ranking tbody tr');
    await rows.first().waitFor();
    const first = await rows.first().innerText();
    expect(first).toContain('Reschedule an appointment');
    expect(first).toMatch(/vectors and words|words only|vectors only/);
    expect(await page.locator('section.decision').innerText()).toMatch(/answered[\s\S]*10 nearest chunks\) [\d.]+, floor [\d.]+/);
    await shoot('search');

    await page.getByLabel('Query').fill('zebra quantum saxophone');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('section.decision').innerText()).toContain('refused');
  });

  it('when the chat is asked, then the answer streams in and its citation opens the cited chunk', async () => {
    await nav('Chat');
    await page.getByLabel('Question').fill(QUESTION);
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.url().endsWith('/v1/admin/chat')),
      page.getByRole('button', { name: 'Ask' }).click(),
    ]);
    expect(response.headers()['content-type']).toContain('text/event-stream');
    const events = parseSse(await response.text());
    const tokens = events.filter((event) => event.event === 'token');
    expect(tokens.length).toBeGreaterThan(1);
    expect(events.at(-1)?.event).toBe('done');

    const turn = page.locator('li.turn').first();
    await turn.locator('.answer-details').waitFor();
    const streamed = tokens.map((event) => (event.data as { text: string }).text).join('');
    expect(await turn.locator('.answer').innerText()).toBe(streamed.trim());
    const details = await turn.locator('.answer-details').innerText();
    expect(details).toContain('not cached');
    expect(details).toContain(`Standalone question\n${QUESTION}`);
    expect(details).toMatch(/total \d+ ms/);
    await shoot('chat');

    const citation = turn.locator('ul.citations a').first();
    const cited = await citation.innerText();
    await citation.click();
    await page.locator('article.chunk').waitFor();
    expect(cited).toContain(await page.getByRole('heading', { level: 1 }).innerText());
    expect((await page.locator('article.chunk .content').innerText()).length).toBeGreaterThan(20);
    await shoot('chunk');
  });

  it('when documents, the audit trail and the metrics are opened, then each shows its data', async () => {
    await nav('Documents');
    await page.getByLabel('Text').fill('reschedule');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('table caption').innerText()).toMatch(/^\d+ documents/);
    await page.getByRole('button', { name: 'Reschedule an appointment' }).click();
    await page.locator('article.chunk').first().waitFor();
    expect(await page.locator('article.chunk').first().innerText()).toMatch(/tokens/);
    await shoot('documents');

    // A doctor's search that reads a patient's record: the entry the audit page must show.
    const [patient] = [...generatePatients({ patients: 1, doctors: 1, seed: 5 })];
    await app.services.ingest.pushRecords([patient!]);
    const doctor = patient!.doctorIds[0]!;
    const search = await fetch(`${app.baseUrl}/v1/search`, {
      method: 'POST',
      headers: { ...app.authHeaders(doctor), 'content-type': 'application/json' },
      body: JSON.stringify({ query: `${patient!.patient.firstName} ${patient!.patient.lastName} allergies` }),
    });
    expect(search.status).toBe(200);
    await nav('Audit trail');
    await page.getByLabel('Doctor id').fill(doctor);
    await page.getByLabel('App').fill('test-all-scopes');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('table caption').innerText()).toBe('1 entry');
    const entry = await page.locator('table tbody tr').first().innerText();
    expect(entry).toContain('search');
    expect(entry).toContain(patient!.patient.id);
    await shoot('audit');

    await nav('Metrics');
    await page.locator('figure.chart').first().waitFor();
    expect(await page.locator('figure.chart').count()).toBe(4);
    expect(await page.locator('figure.chart').first().innerText()).toContain('/v1/admin/chat');
    await shoot('metrics');
  });

  it('when the admin signs out, then the pages redirect to sign-in and the old cookie no longer opens the API', async () => {
    const [cookie] = (await page.context().cookies()).filter((entry) => entry.name === 'llm_admin_session');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin API key').waitFor();
    await page.goto('/admin');
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');

    const replay = await fetch(`${app.baseUrl}/v1/admin/index`, { headers: { cookie: `llm_admin_session=${cookie!.value}` } });
    expect(replay.status).toBe(401);
    expect(problems).toEqual([]);
  });
});
