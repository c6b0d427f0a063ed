import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerCache } from '../../src/cache/answer-cache.js';
import type { CachedAnswer } from '../../src/chat/chat.use-case.js';
import { purgeExpired } from '../../src/chat/conversations.use-case.js';
import { ExtractiveChatModel } from '../../src/llm/chat/extractive-chat-model.js';
import { countTokens } from '../../src/llm/tokens.js';
import { ConversationMemory } from '../../src/memory/conversation-memory.js';
import { ConversationRepository } from '../../src/memory/conversation.repository.js';
import type { PatientRecord } from '../../src/ingest/records/record.schemas.js';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { DOCTOR_A, DOCTOR_B, chatCorpus } from '../fixtures/chat-corpus.fixture.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseBackends, realRedisUrl, uniqueRedisPrefix } from '../support/services.js';

const turn = (i: number) => ({
  question: `Question ${i}: what is the warfarin dose?`,
  standaloneQuestion: `Question ${i}: what is the warfarin dose?`,
  answer: `Answer ${i}: the usual starting dose is 5 mg once daily [1]. ${'It is adjusted to the INR. '.repeat(6)}`,
  citations: [],
  usage: {},
});

describe.each(databaseBackends())('conversation memory and answer cache on %s', (backend) => {
  let app: TestApp;
  let repository: ConversationRepository;
  let cache: AnswerCache<CachedAnswer>;
  const questionVector = async (text: string) => app.services.retriever.embed(text);
  const redisUrl = realRedisUrl();

  beforeAll(async () => {
    app = await startTestApp(backend, redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniqueRedisPrefix() } : {});
    repository = new ConversationRepository(app.services.db.pool, 30);
    cache = app.services.chat.chat.cache;
  });
  afterAll(() => app.close());

  it('when turns overflow the window, then the oldest are folded into the summary and the window stays in budget', async () => {
    const windowTokens = 150;
    const memory = new ConversationMemory(repository, new ExtractiveChatModel(), windowTokens, app.services.logger);
    const id = randomUUID();
    await memory.record({ memory: null, conversationId: id, doctorId: DOCTOR_A, patientId: null, turn: turn(0) });
    for (let i = 1; i < 5; i += 1) {
      const loaded = await memory.load(id, DOCTOR_A, undefined);
      await memory.record({ memory: loaded, conversationId: id, doctorId: DOCTOR_A, patientId: null, turn: turn(i) });
    }

    const loaded = await memory.load(id, DOCTOR_A, undefined);
    expect(loaded.conversation.turnCount).toBe(5);
    expect(loaded.conversation.summarizedThrough).toBeGreaterThan(0);
    const last = loaded.conversation.summarizedThrough - 1;
    // Rolling: the newest folded turn is there, older lines give way to the summary budget (a third of the window).
    expect(loaded.conversation.summary).toContain(`Q: Question ${last}: what is the warfarin dose? A: Answer ${last}: the usual starting dose is 5 mg once daily.`);
    expect(countTokens(loaded.conversation.summary)).toBeLessThanOrEqual(windowTokens / 3);
    expect(loaded.recent.at(-1)!.index).toBe(4);
    const recentTokens = loaded.recent.reduce((sum, t) => sum + countTokens(t.question) + countTokens(t.answer), 0);
    expect(recentTokens).toBeLessThanOrEqual(windowTokens);
    expect(loaded.pending[0]!.index).toBe(loaded.conversation.summarizedThrough);
  });

  it('when many conversations start at once, then their first turns share commits and every one is stored', async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());

    const indexes = await Promise.all(
      ids.map((conversationId) => repository.appendTurn({ conversationId, doctorId: DOCTOR_A, patientId: null, create: true, turn: turn(0) })),
    );

    expect(indexes).toEqual(ids.map(() => 0));
    const { rows } = await app.services.db.pool.query<{ conversations: number; turns: number; commits: number }>(
      `SELECT count(*)::int AS conversations, sum(turn_count)::int AS turns, count(DISTINCT xmin::text)::int AS commits
       FROM llm_assistant.conversation_memory WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows[0]).toMatchObject({ conversations: 20, turns: 20 });
    expect(rows[0]!.commits).toBeLessThan(20);
    expect((await repository.turnsFrom(ids[7]!, 0)).map((t) => t.answer)).toEqual([turn(0).answer]);
  });

  it('when one first turn of a shared commit is refused, then only its own request fails', async () => {
    const taken = randomUUID();
    await repository.appendTurn({ conversationId: taken, doctorId: DOCTOR_A, patientId: null, create: true, turn: turn(0) });
    const fresh = Array.from({ length: 5 }, () => randomUUID());

    const results = await Promise.allSettled(
      [fresh[0]!, taken, ...fresh.slice(1)].map((conversationId) =>
        repository.appendTurn({ conversationId, doctorId: DOCTOR_A, patientId: null, create: true, turn: turn(1) }),
      ),
    );

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    for (const id of fresh) expect(await repository.findOwned(id, DOCTOR_A)).toMatchObject({ turnCount: 1 });
  });

  it("when another doctor loads a conversation, then it is not found (no existence leak)", async () => {
    const memory = new ConversationMemory(repository, new ExtractiveChatModel(), 1_000, app.services.logger);
    const id = randomUUID();
    await memory.record({ memory: null, conversationId: id, doctorId: DOCTOR_A, patientId: null, turn: turn(0) });

    await expect(memory.load(id, DOCTOR_B, undefined)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(memory.load(randomUUID(), DOCTOR_A, undefined)).rejects.toMatchObject({ status: 404 });
  });

  it('when a conversation idles past the retention, then the purge erases it with its turns and cached answers', async () => {
    const id = randomUUID();
    await repository.appendTurn({ conversationId: id, doctorId: DOCTOR_A, patientId: null, create: true, turn: turn(0) });
    const key = await cache.keyFor({
      question: await questionVector('What is the purge test dose?'),
      doctorId: DOCTOR_A,
      patientId: null,
      modules: null,
      withHistory: true,
    });
    await cache.remember(key, answerOf('a'), chatCorpus().slice(0, 1), id);
    await app.services.db.pool.query(`UPDATE llm_assistant.conversation_memory SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);

    expect(await repository.findOwned(id, DOCTOR_A)).toBeNull();
    const purged = await purgeExpired(app.services.chat.conversations);

    expect(purged.conversations).toBeGreaterThanOrEqual(1);
    const { rows } = await app.services.db.pool.query(
      `SELECT (SELECT count(*)::int FROM llm_assistant.conversation_turns WHERE conversation_id = $1) AS turns,
              (SELECT count(*)::int FROM llm_assistant.query_cache WHERE conversation_id = $1) AS answers`,
      [id],
    );
    expect(rows[0]).toEqual({ turns: 0, answers: 0 });
    expect(await cache.lookup(key)).toBeNull();
  });

  describe('scopes, and what the index holds', () => {
    const DOCTOR_C = '0c0c0c0c-0c0c-4c0c-8c0c-0c0c0c0c0c0c';
    const [patient] = [...generatePatients({ patients: 1, doctors: 1, seed: 5 })];
    const caredForBy = (doctorIds: string[]): PatientRecord => ({
      ...patient!,
      doctorIds,
      appointments: patient!.appointments.map((appointment) => ({ ...appointment, doctorId: doctorIds[0]! })),
    });
    const push = async (record: PatientRecord) => {
      const response = await fetch(`${app.baseUrl}/v1/admin/records`, {
        method: 'POST',
        headers: { ...app.authHeaders(), 'content-type': 'application/json' },
        body: JSON.stringify({ patients: [record] }),
      });
      expect(response.status).toBe(200);
    };
    const keyOf = async (doctorId: string) =>
      cache.keyFor({ question: await questionVector('How do I book a follow-up visit?'), doctorId, patientId: null, modules: null, withHistory: false });

    it('when doctors are listed on no record, then they share answers; a doctor listed on one has their own', async () => {
      await push(caredForBy([DOCTOR_A]));

      const [a, b, c] = await Promise.all([keyOf(DOCTOR_A), keyOf(DOCTOR_B), keyOf(DOCTOR_C)]);

      expect(a.doctorId).toBe(DOCTOR_A);
      expect(b).toMatchObject({ doctorId: null, cacheKey: c.cacheKey });
    });

    it('when a patient is shared with another doctor, then both doctors\' answers without a patient leave the cache', async () => {
      const conversationId = randomUUID();
      await repository.appendTurn({ conversationId, doctorId: DOCTOR_A, patientId: null, create: true, turn: turn(0) });
      await push(caredForBy([DOCTOR_A]));
      await push({ ...caredForBy([DOCTOR_B]), patient: { ...patient!.patient, id: randomUUID() } });
      const keys = await Promise.all([keyOf(DOCTOR_A), keyOf(DOCTOR_B)]);
      for (const key of keys) await cache.remember(key, answerOf('follow-up'), chatCorpus().slice(0, 1), conversationId);
      expect(await cache.lookup(keys[1])).toMatchObject({ kind: 'exact' });

      await push(caredForBy([DOCTOR_A, DOCTOR_B]));

      expect(await cache.lookup(keys[0])).toBeNull();
      expect(await cache.lookup(keys[1])).toBeNull();
    });
  });

  describe('semantic guards', () => {
    const sources = chatCorpus().slice(0, 2);
    let conversationId: string;

    beforeAll(async () => {
      conversationId = randomUUID();
      await repository.appendTurn({ conversationId, doctorId: DOCTOR_A, patientId: null, create: true, turn: turn(0) });
    });

    const keyOf = async (question: string) =>
      cache.keyFor({ question: await questionVector(question), doctorId: DOCTOR_A, patientId: null, modules: null, withHistory: true });
    const remember = async (question: string) => cache.remember(await keyOf(question), answerOf(question), sources, conversationId);
    const lookup = async (question: string) => cache.lookup(await keyOf(question));

    it('when a near-identical question has the same guard terms, then it is a semantic hit', async () => {
      await remember('When should I stop warfarin before surgery?');
      expect(await lookup('When should I stop warfarin before surgery, please?')).toMatchObject({ kind: 'semantic', answer: { answer: 'When should I stop warfarin before surgery?' } });
    });

    it('when the question says start instead of stop, then it never gets the cached answer', async () => {
      expect(await lookup('When should I start warfarin before surgery?')).toBeNull();
    });

    it('when the dose differs (5 mg vs 50 mg), then it never gets the cached answer', async () => {
      await remember('Is 5 mg of warfarin once daily too much?');
      expect(await lookup('Is 5 mg of warfarin once daily too much, please?')).toMatchObject({ kind: 'semantic' });
      expect(await lookup('Is 50 mg of warfarin once daily too much?')).toBeNull();
    });

    it('when an answer is expired, then it is ignored and purged', async () => {
      await remember('What is the expiry test question about heparin?');
      await app.services.db.pool.query(`UPDATE llm_assistant.query_cache SET expires_at = now() - interval '1 second' WHERE question LIKE '%expiry test%'`);

      expect(await lookup('What is the expiry test question about heparin, please?')).toBeNull();
      expect(await cache.purgeExpired()).toBeGreaterThanOrEqual(1);
    });
  });
});

function answerOf(text: string): CachedAnswer {
  return { answer: text, citations: [], removedCitations: [], modules: [], recordHits: [] };
}
