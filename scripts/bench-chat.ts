import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { copyCorpus, type BenchOptions, type BenchReport } from './bench/lib.js';
import {
  freePort,
  loadChat,
  medquadQuestions,
  prepareChatDatabase,
  startFakeOpenAI,
  startService,
  type LoadResult,
} from './bench/chat-service.js';

const CONNECTIONS = 50;
const REDIS_URL = 'redis://127.0.0.1:6379';

interface Phase {
  providers: string;
  load: string;
  result: LoadResult;
  rssMb: number;
}

/**
 * `npm run bench -- chat [--size N] [--duration S]`: POST /v1/chat on the real service
 * process over N MedQuAD documents (default 1,000), 50 connections for S seconds
 * (default 30) per phase: distinct questions (cache misses), then one question repeated
 * (cache hits); with the offline providers, then with OpenAI stubbed by a fake server.
 */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const duration = options.duration ?? 30;
  const corpus = await copyCorpus(options.size ?? 1_000);
  const questions = await medquadQuestions(16_000);
  const fake = await startFakeOpenAI();
  try {
    const setups: { providers: string; database: string; env: Record<string, string> }[] = [
      { providers: 'offline', database: 'llm_bench_chat', env: {} },
      {
        providers: 'OpenAI (fake, answers at once)',
        database: 'llm_bench_chat_openai',
        // The fake's vectors are the offline embedder's: the offline similarity floor applies.
        env: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: fake.baseUrl, SEARCH_MIN_SIMILARITY: '0.12' },
      },
    ];
    const phases: Phase[] = [];
    for (const setup of setups) {
      options.log(`${setup.providers}: indexing ${corpus.files.length} documents`);
      const env = { ...setup.env, REDIS_URL, REDIS_KEY_PREFIX: `llm-bench-${randomBytes(4).toString('hex')}:` };
      const prepared = await prepareChatDatabase(options.serverUrl, setup.database, corpus.dir, env);
      const service = await startService(prepared.env, await freePort());
      try {
        let next = 0;
        const distinct = () => questions[next++ % questions.length]!;
        const repeated = () => questions[0]!;
        const base = { url: service.url, apiKey: prepared.apiKey, connections: CONNECTIONS };
        options.log(`${setup.providers}: warm-up`);
        await loadChat({ ...base, message: distinct, durationSeconds: 3 });
        for (const [load, message] of [['distinct questions (misses)', distinct], ['one question repeated (hits)', repeated]] as const) {
          options.log(`${setup.providers}: ${load}, ${CONNECTIONS} connections, ${duration} s`);
          const result = await loadChat({ ...base, message, durationSeconds: duration });
          phases.push({ providers: setup.providers, load, result, rssMb: (await service.memory()).rssMb });
        }
      } finally {
        await service.stop();
      }
    }
    return report(corpus.files.length, duration, phases);
  } finally {
    await fake.close();
    await rm(path.dirname(corpus.dir), { recursive: true, force: true });
  }
}

function report(documents: number, duration: number, phases: Phase[]): BenchReport {
  const find = (providers: string, hits: boolean) => phases.find((p) => p.providers.startsWith(providers) && p.load.includes('hits') === hits)!;
  const offlineHits = find('offline', true).result;
  const fakeMisses = find('OpenAI', false).result;
  return {
    title: `chat: POST /v1/chat, ${CONNECTIONS} connections, ${duration} s per run, ${documents.toLocaleString('en')} MedQuAD documents`,
    columns: ['providers', 'load', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'service RSS MB'],
    rows: phases.map((p) => [
      p.providers,
      p.load,
      p.result.requests,
      p.result.requestsPerSecond,
      p.result.p50Ms,
      p.result.p90Ms,
      p.result.p99Ms,
      p.result.maxMs,
      p.result.errors,
      p.result.non2xx,
      p.rssMb,
    ]),
    notes: [
      'The service runs as its own process (src/main.ts) on real PostgreSQL and Redis, logs at warn, rate limits raised above the offered load; autocannon in the benchmark process, loopback only.',
      `Cache hits: p50 ${offlineHits.p50Ms} ms, ${offlineHits.requestsPerSecond} req/s (targets < 2 ms, > 3,000 req/s). Uncached overhead with a model that answers at once: p50 ${fakeMisses.p50Ms} ms (target < 20 ms).`,
      'Latencies are per response, under 50 concurrent connections: a p50 includes queueing behind the other 49 requests.',
    ],
    figures: {
      documents,
      connections: CONNECTIONS,
      durationSeconds: duration,
      phases: phases.map((p) => ({ providers: p.providers, load: p.load, ...p.result, rssMb: p.rssMb })),
    },
  };
}
