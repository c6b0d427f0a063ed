import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTHING_FOUND } from '../../src/chat/chat.use-case.js';
import { EXTRACTIVE_MODEL, EXTRACTIVE_PREAMBLE } from '../../src/llm/chat/extractive-chat-model.js';
import { CHAT_MODULES, DOCTOR_A, DOCTOR_B, PATIENT_A, PATIENT_B, chatCorpus } from '../fixtures/chat-corpus.fixture.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { parseSse, postChat, storedCounts, withFakeRetriever, readJson, type ConversationBody, type ProblemBody } from '../support/chat.js';
import { FakeRetriever } from '../support/fake-retriever.js';
import { CLOSED_PORT, databaseBackends, realRedisUrl, uniqueRedisPrefix } from '../support/services.js';

const DOSE_QUESTION = 'What is the starting dose of warfarin?';

describe.each(databaseBackends())('chat API (offline answerer) on %s', (backend) => {
  let app: TestApp;
  const retriever = new FakeRetriever(chatCorpus(), CHAT_MODULES);
  const redisUrl = realRedisUrl();

  beforeAll(async () => {
    app = await startTestApp(backend, redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniqueRedisPrefix() } : {}, {
      customize: withFakeRetriever(retriever),
    });
  });
  afterAll(() => app.close());

  const ask = async (doctorId: string, body: Record<string, unknown>) => {
    const response = await postChat(app, doctorId, body);
    expect(response.status).toBe(200);
    return readJson(response);
  };

  it('when a doctor asks, then the answer is extractive, cites only the sources it quotes and starts a conversation', async () => {
    const body = await ask(DOCTOR_A, { message: DOSE_QUESTION });

    expect(body.answer.startsWith(EXTRACTIVE_PREAMBLE)).toBe(true);
    expect(body.answer).toContain('5 mg once daily');
    expect(body.citations.length).toBeGreaterThan(0);
    expect(body.citations[0]).toMatchObject({ n: 1, doc: 'medications/warfarin', title: 'Warfarin', heading: 'Dosing', url: 'https://docs.example.test/medications/warfarin' });
    for (const citation of body.citations) expect(body.answer).toContain(`[${citation.n}]`);
    expect(body.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.cached).toBe(false);
    expect(body.usage).toMatchObject({ model: EXTRACTIVE_MODEL, offline: true });
    expect(body).not.toHaveProperty('removedCitations');
    expect(retriever.searches.at(-1)).toMatchObject({ question: { text: DOSE_QUESTION }, scope: { doctorId: DOCTOR_A } });
  });

  it('when an answer is sent, then its body is not hashed for an ETag (every answer is computed for its request)', async () => {
    const response = await postChat(app, DOCTOR_A, { message: DOSE_QUESTION });

    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBeNull();
  });

  it('when the same question comes again, then it is served from the exact cache', async () => {
    const first = await ask(DOCTOR_A, { message: DOSE_QUESTION });
    const again = await ask(DOCTOR_A, { message: '  what is the starting dose of WARFARIN ' });

    expect(again.cached).toBe('exact');
    expect(again.answer).toBe(first.answer);
    expect(again.citations).toEqual(first.citations);
    expect(again.usage).toMatchObject({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });
  });

  it('when a question only differs by stop words, then the semantic cache answers it', async () => {
    await ask(DOCTOR_A, { message: 'How do I book an appointment?' });
    const similar = await ask(DOCTOR_A, { message: 'How do I book an appointment, please?' });

    expect(similar.cached).toBe('semantic');
    expect(similar.modules).toEqual(['appointments']);
  });

  it('when a follow-up is asked in the conversation, then it is condensed with the previous question before retrieval', async () => {
    const first = await ask(DOCTOR_A, { message: 'When should warfarin be stopped before surgery?' });
    const followUp = await ask(DOCTOR_A, { message: 'And what about heparin bridging?', conversationId: first.conversationId });

    expect(followUp.conversationId).toBe(first.conversationId);
    expect(retriever.searches.at(-1)!.question.text).toBe('And what about heparin bridging? (follow-up to: When should warfarin be stopped before surgery?)');
    expect(followUp.answer).toContain('Bridging with heparin');

    const conversation = await readJson<ConversationBody>(await fetch(`${app.baseUrl}/v1/conversations/${first.conversationId}`, { headers: app.authHeaders(DOCTOR_A) }));
    expect(conversation.turns.map((turn: { question: string }) => turn.question)).toEqual([
      'When should warfarin be stopped before surgery?',
      'And what about heparin bridging?',
    ]);
    expect(conversation.turns[1]!.standaloneQuestion).toContain('follow-up to');
    expect(conversation).not.toHaveProperty('doctorId');
  });

  it('when another doctor reads, continues or deletes the conversation, then it is not found (404)', async () => {
    const { conversationId } = await ask(DOCTOR_A, { message: DOSE_QUESTION });
    const url = `${app.baseUrl}/v1/conversations/${conversationId}`;

    expect((await fetch(url, { headers: app.authHeaders(DOCTOR_B) })).status).toBe(404);
    expect((await fetch(url, { method: 'DELETE', headers: app.authHeaders(DOCTOR_B) })).status).toBe(404);
    const continued = await postChat(app, DOCTOR_B, { message: 'and for children?', conversationId });
    expect(continued.status).toBe(404);
    expect((await readJson<ProblemBody>(continued)).code).toBe('not_found');
    expect((await fetch(url, { headers: app.authHeaders(DOCTOR_A) })).status).toBe(200);
  });

  it('when the owner deletes a conversation, then it, its turns and the answers cached from it are gone', async () => {
    const question = 'What is the usual warfarin dose adjusted to the INR?';
    const { conversationId } = await ask(DOCTOR_A, { message: question });
    expect((await ask(DOCTOR_A, { message: question })).cached).toBe('exact');

    const deleted = await fetch(`${app.baseUrl}/v1/conversations/${conversationId}`, { method: 'DELETE', headers: app.authHeaders(DOCTOR_A) });
    expect(deleted.status).toBe(204);

    expect((await fetch(`${app.baseUrl}/v1/conversations/${conversationId}`, { headers: app.authHeaders(DOCTOR_A) })).status).toBe(404);
    const { rows } = await app.services.db.pool.query('SELECT 1 FROM llm_assistant.query_cache WHERE conversation_id = $1', [conversationId]);
    expect(rows).toHaveLength(0);
    expect((await ask(DOCTOR_A, { message: question })).cached).toBe(false);
  });

  it("when asking about a patient, then the doctor's record is used and the answer is never served to another doctor", async () => {
    const question = 'Is the patient allergic to penicillin?';
    const own = await ask(DOCTOR_A, { message: question, patientId: PATIENT_A });
    expect(own.answer).toContain('allergic to penicillin');
    expect(own.citations.some((citation: { doc: string }) => citation.doc.startsWith('patient/'))).toBe(true);
    expect((await ask(DOCTOR_A, { message: question, patientId: PATIENT_A })).cached).toBe('exact');

    const other = await ask(DOCTOR_B, { message: question, patientId: PATIENT_A });
    expect(other.cached).toBe(false);
    expect(other.answer).not.toContain('allergic to penicillin');
    expect(retriever.searches.at(-1)).toMatchObject({ scope: { doctorId: DOCTOR_B }, filters: { patientId: PATIENT_A } });
  });

  it('when a first documentation-only question is asked by another doctor, then the shared answer is reused', async () => {
    const question = 'How do I confirm the booking of an appointment slot?';
    expect((await ask(DOCTOR_A, { message: question })).cached).toBe(false);
    expect((await ask(DOCTOR_B, { message: question })).cached).toBe('exact');
  });

  it('when the same question is asked for another patient, then it misses the cache', async () => {
    const question = 'What warfarin dose does the patient take daily?';
    await ask(DOCTOR_A, { message: question, patientId: PATIENT_A });
    expect((await ask(DOCTOR_A, { message: question, patientId: PATIENT_B })).cached).toBe(false);
  });

  it('when a conversation about one patient is continued about another, then it is refused (409)', async () => {
    const { conversationId } = await ask(DOCTOR_A, { message: 'What does the patient take?', patientId: PATIENT_A });
    const response = await postChat(app, DOCTOR_A, { message: 'and allergies?', conversationId, patientId: PATIENT_B });

    expect(response.status).toBe(409);
    expect((await readJson<ProblemBody>(response)).code).toBe('conversation_patient_mismatch');
  });

  it('when documentation is added to the index, then no answer cached before it is used (the new page may answer better)', async () => {
    const question = 'Which provider and free slot do I pick when booking?';
    await ask(DOCTOR_A, { message: question });
    expect((await ask(DOCTOR_A, { message: question })).cached).toBe('exact');

    const pool = app.services.db.pool;
    await pool.query(
      `INSERT INTO llm_assistant.sources (source_kind, collection, source_id, uri, title, content_hash)
       VALUES ('doc', 'example-docs', 'appointments/booking-new', 'appointments/booking-new.md', 'Booking', 'h1')`,
    );
    try {
      expect((await ask(DOCTOR_A, { message: question })).cached).toBe(false);
    } finally {
      await pool.query(`DELETE FROM llm_assistant.sources WHERE source_id = 'appointments/booking-new'`);
    }
  });

  it('when a shared documentation answer came from a conversation that is erased, then it is erased too', async () => {
    const question = 'Where do I see the free slots of a provider?';
    const { conversationId } = await ask(DOCTOR_A, { message: question });
    expect((await ask(DOCTOR_B, { message: question })).cached).toBe('exact');

    await fetch(`${app.baseUrl}/v1/conversations/${conversationId}`, { method: 'DELETE', headers: app.authHeaders(DOCTOR_A) });

    expect((await ask(DOCTOR_B, { message: question })).cached).toBe(false);
  });

  it("when a cached answer built from a patient's records is served again, then that request is audited before it leaves", async () => {
    const auditRows = async (requestId: string | null) =>
      (
        await app.services.db.pool.query<{ patient_ids: string[]; chunk_ids: string[]; doctor_id: string }>(
          'SELECT patient_ids, chunk_ids, doctor_id FROM llm_assistant.audit_log WHERE request_id = $1',
          [requestId],
        )
      ).rows;
    const question = 'Is the patient allergic to penicillin or anything else?';
    const first = await postChat(app, DOCTOR_A, { message: question, patientId: PATIENT_A });
    const [original] = await auditRows(first.headers.get('x-request-id'));
    expect(original?.patient_ids).toEqual([PATIENT_A]);

    const again = await postChat(app, DOCTOR_A, { message: question, patientId: PATIENT_A });

    expect((await readJson(again)).cached).toBe('exact');
    expect(await auditRows(again.headers.get('x-request-id'))).toEqual([
      { patient_ids: [PATIENT_A], chunk_ids: original!.chunk_ids, doctor_id: DOCTOR_A },
    ]);
  });

  it('when nothing is found above the floor, then the answer says so and cites nothing', async () => {
    const body = await ask(DOCTOR_A, { message: 'Zebra migration patterns in Kenya?' });

    expect(body).toMatchObject({ answer: NOTHING_FOUND, citations: [], cached: false });
  });

  it('when the answer is streamed, then token events carry the same answer and a done event carries the rest', async () => {
    const question = 'How do I choose the appointment type when booking?';
    const response = await postChat(app, DOCTOR_A, { message: question }, { stream: true });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await response.text());
    const tokens = events.filter((event) => event.event === 'token');
    expect(tokens.length).toBeGreaterThan(1);
    expect(events.at(-1)!.event).toBe('done');
    const done = events.at(-1)!.data as Record<string, unknown>;
    expect(done).not.toHaveProperty('answer');
    expect(done).toMatchObject({ cached: false, usage: { offline: true } });

    const streamed = tokens.map((event) => (event.data as { text: string }).text).join('');
    const conversation = await readJson<ConversationBody>(await fetch(`${app.baseUrl}/v1/conversations/${String(done.conversationId)}`, { headers: app.authHeaders(DOCTOR_A) }));
    expect(conversation.turns[0]!.answer).toBe(streamed);
    expect(done.citations).toEqual(conversation.turns[0]!.citations);
  });

  it('when the conversation of a streamed request does not exist, then the error is a plain 404 problem', async () => {
    const response = await postChat(app, DOCTOR_A, { message: 'x', conversationId: '99999999-9999-4999-8999-999999999999' }, { stream: true });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('when the input is wrong, then it is a 400 problem: no doctor, unknown field, too long, bad ids', async () => {
    const cases: [string | undefined, Record<string, unknown>, string][] = [
      [undefined, { message: 'hello' }, 'doctor_id_required'],
      [DOCTOR_A, { message: 'hello', extra: true }, 'validation_failed'],
      [DOCTOR_A, { message: 'x'.repeat(4_001) }, 'validation_failed'],
      [DOCTOR_A, { message: '   ' }, 'validation_failed'],
      [DOCTOR_A, { message: 'hi', conversationId: 'not-a-uuid' }, 'validation_failed'],
      [DOCTOR_A, { message: 'hi', modules: Array.from({ length: 11 }, (_, i) => `m${i}`) }, 'validation_failed'],
    ];
    for (const [doctorId, body, code] of cases) {
      const response = await postChat(app, doctorId, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await readJson<ProblemBody>(response)).code).toBe(code);
    }
  });

  it('when chat runs, then no log line contains the question or the answer text', () => {
    const logs = app.logs.text();
    expect(logs).not.toContain('starting dose');
    expect(logs).not.toContain('penicillin');
  });
});

describe('chat API with Redis down', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('pglite', { REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}`, REDIS_COMMAND_TIMEOUT_MS: '200' }, { customize: withFakeRetriever() });
  });
  afterAll(() => app.close());

  it('when Redis is unreachable, then chat still answers, the answer cache (in PostgreSQL) still serves, and it is logged once', async () => {
    const first = await postChat(app, DOCTOR_A, { message: DOSE_QUESTION });
    expect(first.status).toBe(200);
    expect((await readJson(first)).cached).toBe(false);

    const second = await postChat(app, DOCTOR_A, { message: DOSE_QUESTION });
    expect(second.status).toBe(200);
    expect((await readJson(second)).cached).toBe('exact');

    expect(app.logs.lines.filter((line) => line.includes('redis unavailable'))).toHaveLength(1);
    expect(await storedCounts(app)).toEqual({ conversations: 2, turns: 2 });
  });

  it('when a conversation is deleted while Redis is down, then it is erased with its cached answers (Redis holds none)', async () => {
    const { conversationId } = await readJson(await postChat(app, DOCTOR_A, { message: 'How do I book an appointment?' }));
    const response = await fetch(`${app.baseUrl}/v1/conversations/${conversationId}`, { method: 'DELETE', headers: app.authHeaders(DOCTOR_A) });

    expect(response.status).toBe(204);
    expect((await fetch(`${app.baseUrl}/v1/conversations/${conversationId}`, { headers: app.authHeaders(DOCTOR_A) })).status).toBe(404);
    const { rows } = await app.services.db.pool.query('SELECT 1 FROM llm_assistant.query_cache WHERE conversation_id = $1', [conversationId]);
    expect(rows).toHaveLength(0);
  });
});
