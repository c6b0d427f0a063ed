import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { copyCorpus, round, type BenchOptions, type BenchReport } from './bench/lib.js';
import {
  chatHeaders,
  freePort,
  loadChat,
  medquadQuestions,
  prepareChatDatabase,
  startFakeOpenAI,
  startReferenceServer,
  startService,
  type LoadResult,
  type RunningService,
} from './bench/chat-service.js';

const CONNECTIONS = 50;
const REDIS_URL = 'redis://127.0.0.1:6379';
const SETTLE_MS = 5_000;

interface Phase {
  providers: string;
  load: string;
  connections: number;
  result: LoadResult;
  rssMb: number;
  /** The service process's CPU time over the phase, per request answered. */
  cpuMsPerRequest: number;
}

/**
 * `npm run bench -- chat [--size N] [--duration S]`: POST /v1/chat on the real service
 * process over N MedQuAD documents (default 1,000), S seconds (default 30) per phase:
 * distinct questions (cache misses), then one question repeated (cache hits); with the
 * offline providers, then with OpenAI stubbed by a fake server. Throughput is taken with
 * 50 connections; latency also with one connection, where no request queues behind
 * another (with 50, Little's law makes p50 about 50 / throughput). Last, the machine's
 * ceiling: servers that only parse the request and send a hit's bytes back, with
 * node:http alone and with express, under the same 50 connections.
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
    let hitBody = '';
    for (const setup of setups) {
      options.log(`${setup.providers}: indexing ${corpus.files.length} documents`);
      const env = { ...setup.env, REDIS_URL, REDIS_KEY_PREFIX: `llm-bench-${randomBytes(4).toString('hex')}:` };
      const prepared = await prepareChatDatabase(options.serverUrl, setup.database, corpus.dir, env);
      const service = await startService(prepared.env, await freePort());
      try {
        let next = 0;
        const distinct = () => questions[next++ % questions.length]!;
        const repeated = () => questions[0]!;
        const base = { url: service.url, apiKey: prepared.apiKey };
        // Warm-up (JIT, pools, caches), also asking the repeated question once.
        options.log(`${setup.providers}: warm-up`);
        await loadChat({ ...base, message: distinct, connections: 4, durationSeconds: 3 });
        hitBody ||= await askOnce(service.url, prepared.apiKey, repeated());
        // Hits first: requests abandoned when a miss phase ends keep PostgreSQL busy for a while.
        const runs = [
          { load: 'one question repeated (hits)', message: repeated, connections: 1 },
          { load: 'one question repeated (hits)', message: repeated, connections: CONNECTIONS },
          { load: 'distinct questions (misses)', message: distinct, connections: 1 },
          { load: 'distinct questions (misses)', message: distinct, connections: CONNECTIONS },
        ];
        for (const { load, message, connections } of runs) {
          await settle();
          options.log(`${setup.providers}: ${load}, ${connections} connections, ${duration} s`);
          const { result, cpuMsPerRequest } = await measured(service, () => loadChat({ ...base, message, connections, durationSeconds: duration }));
          phases.push({ providers: setup.providers, load, connections, result, rssMb: (await service.memory()).rssMb, cpuMsPerRequest });
        }
      } finally {
        await service.stop();
      }
    }
    for (const kind of ['node-http', 'express'] as const) {
      const server = await startReferenceServer(kind, hitBody, await freePort());
      try {
        await settle();
        options.log(`reference (${kind}): ${CONNECTIONS} connections, ${duration} s`);
        // The reference servers check neither key nor message.
        const base = { url: server.url, apiKey: 'none', message: () => questions[0]! };
        await loadChat({ ...base, connections: 4, durationSeconds: 3 });
        const { result, cpuMsPerRequest } = await measured(server, () => loadChat({ ...base, connections: CONNECTIONS, durationSeconds: duration }));
        phases.push({ providers: REFERENCE_PROVIDERS[kind], load: 'a hit\'s bytes, no work', connections: CONNECTIONS, result, rssMb: (await server.memory()).rssMb, cpuMsPerRequest });
      } finally {
        await server.stop();
      }
    }
    return report(corpus.files.length, duration, phases);
  } finally {
    await fake.close();
    await rm(path.dirname(corpus.dir), { recursive: true, force: true });
  }
}

const REFERENCE_PROVIDERS = {
  'node-http': 'reference: node:http only',
  express: 'reference: express + JSON parser only',
} as const;

/** The body of one answer, as the service sends it. */
async function askOnce(url: string, apiKey: string, message: string): Promise<string> {
  const response = await fetch(`${url}/v1/chat`, {
    method: 'POST',
    headers: chatHeaders(apiKey),
    body: JSON.stringify({ message }),
  });
  if (!response.ok) throw new Error(`POST /v1/chat answered ${response.status}`);
  return response.text();
}

/** A load run with the CPU time the server process spent on it, per request answered. */
async function measured(server: RunningService, load: () => Promise<LoadResult>): Promise<{ result: LoadResult; cpuMsPerRequest: number }> {
  const before = await server.cpuMs();
  const result = await load();
  return { result, cpuMsPerRequest: round(((await server.cpuMs()) - before) / Math.max(1, result.requests), 3) };
}

/** A pause between phases, so that one phase's leftovers do not load the next. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

function report(documents: number, duration: number, phases: Phase[]): BenchReport {
  const find = (providers: string, hits: boolean, connections: number) =>
    phases.find((p) => p.providers.startsWith(providers) && p.load.includes('hits') === hits && p.connections === connections)!.result;
  const hits50 = find('offline', true, CONNECTIONS);
  const hits1 = find('offline', true, 1);
  const fakeMisses1 = find('OpenAI', false, 1);
  const fakeMisses50 = find('OpenAI', false, CONNECTIONS);
  const reference = (kind: keyof typeof REFERENCE_PROVIDERS) => phases.find((p) => p.providers === REFERENCE_PROVIDERS[kind])!.result;
  const nodeHttp = reference('node-http');
  const bareExpress = reference('express');
  return {
    title: `chat: POST /v1/chat, ${duration} s per run, ${documents.toLocaleString('en')} MedQuAD documents`,
    columns: ['providers', 'load', 'connections', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'service CPU ms/req', 'service RSS MB'],
    rows: phases.map((p) => [
      p.providers,
      p.load,
      p.connections,
      p.result.requests,
      p.result.requestsPerSecond,
      p.result.p50Ms,
      p.result.p90Ms,
      p.result.p99Ms,
      p.result.maxMs,
      p.result.errors,
      p.result.non2xx,
      p.cpuMsPerRequest,
      p.rssMb,
    ]),
    notes: [
      'The service runs as its own process (src/main.ts) on real PostgreSQL and Redis, logs at warn, rate limits raised above the offered load; autocannon in the benchmark process, loopback only. Each phase after a 3 s warm-up and a 5 s pause; every request starts a new conversation (stored, durable).',
      `Cache hits (offline): p50 ${hits1.p50Ms} ms with one connection (target < 10 ms), ${hits50.p50Ms} ms with ${CONNECTIONS}; ${hits50.requestsPerSecond} req/s with ${CONNECTIONS} connections.`,
      `Uncached overhead (OpenAI fake answering at once, so everything but the model): p50 ${fakeMisses1.p50Ms} ms with one connection, ${fakeMisses50.p50Ms} ms with ${CONNECTIONS} at ${fakeMisses50.requestsPerSecond} req/s (target < 20 ms).`,
      `This machine's ceiling, the same ${CONNECTIONS} connections answered with a hit's bytes and no work: ${nodeHttp.requestsPerSecond} req/s with node:http alone, ${bareExpress.requestsPerSecond} req/s with express and its JSON body parser. Hits run at ${Math.round((100 * hits50.requestsPerSecond) / bareExpress.requestsPerSecond)}% of express alone.`,
      "Service CPU ms/req: the server process's user and system time over the phase (/proc, 10 ms ticks), divided by the requests it answered; on a shared machine it moves less than throughput does.",
      'Latencies are per response, measured by the client (autocannon, same machine); with 50 connections a p50 includes queueing behind the other 49 requests. The client shares the 2 cores with the service, PostgreSQL and Redis.',
    ],
    figures: {
      documents,
      connections: CONNECTIONS,
      durationSeconds: duration,
      phases: phases.map((p) => ({ providers: p.providers, load: p.load, connections: p.connections, ...p.result, rssMb: p.rssMb, cpuMsPerRequest: p.cpuMsPerRequest })),
    },
  };
}
