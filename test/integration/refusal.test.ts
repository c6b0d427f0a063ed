import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { isRefused } from '../../src/retrieval/refusal.js';
import { createServices, type Services } from '../../src/services.js';

/**
 * The embedded default as a new user gets it (sentence encoder, example documentation):
 * an unrelated question is refused, with nothing to cite; questions the documentation
 * answers are not, however they are worded.
 */
describe('refusal on the example documentation (the offline default)', () => {
  let services: Services;

  beforeAll(async () => {
    services = await createServices(
      loadConfig({ EMBEDDED_DATA_DIR: 'memory://', OFFLINE_EMBEDDER: 'sentence-encoder', INDEX_EXAMPLES_ON_START: 'false', LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    await services.ingest.reindex({ path: 'examples/docs' }, 'test');
  }, 240_000);
  afterAll(() => services?.close());

  const search = async (query: string) => services.retriever.search({ question: await services.retriever.embed(query), k: 5, scope: { doctorId: null } });
  const detectModules = async (question: string) => services.retriever.detectModules(await services.retriever.embed(question));

  it('when a question has nothing to do with the documentation, then the search is refused', async () => {
    for (const question of ['Who was the lead singer of Queen?', 'When did the Roman Empire fall?']) {
      expect(isRefused(await search(question)), question).toBe(true);
      expect(await detectModules(question), question).toEqual([]);
    }
  });

  it('when a question is about the platform, then it is answered from the right document', async () => {
    const hits = await search('How do I move an appointment to another day?');
    expect(isRefused(hits)).toBe(false);
    expect(hits[0]!.sourceId).toBe('appointments/reschedule-appointment');
    expect((await detectModules('How do I move an appointment to another day?')).map((m) => m.name)).toContain('appointments');
    expect(isRefused(await search('how do i turn on 2 factor login'))).toBe(false);
  });
});
