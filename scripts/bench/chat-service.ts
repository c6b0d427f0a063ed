import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../../src/config.js';
import { ingestDocsFolder } from '../../src/ingest/docs-ingest.js';
import { embedDocumentText } from '../../src/llm/embeddings/offline-embedder.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';
import { createServices } from '../../src/services.js';
import { chatCompletion, chatCompletionStream } from '../../test/fixtures/openai/chat-completions.fixture.js';
import { freshDatabase, percentile, REPO_ROOT, round } from './lib.js';

export const MEDQUAD = '/work/shared/datasets/medquad';
const DOCTOR_ID = '5b0c6b1e-8f7a-4c2e-9d3f-0a1b2c3d4e5f';

/** Service settings for load runs: limits far above the offered load, quiet logs. */
export const LOAD_ENV = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_CLIENT_PER_MINUTE: '1000000',
  RATE_LIMIT_DOCTOR_PER_MINUTE: '1000000',
};

/**
 * A fresh database with a documentation folder indexed and an API client with the chat
 * scope, built through the service's own code; returns the environment a service
 * process needs to serve it.
 */
export async function prepareChatDatabase(
  serverUrl: string,
  name: string,
  docsDir: string,
  env: Record<string, string>,
): Promise<{ env: Record<string, string>; apiKey: string; chunks: number }> {
  const { url, pool } = await freshDatabase(serverUrl, name);
  await pool.end();
  const serviceEnv = { ...LOAD_ENV, ...env, DATABASE_URL: url };
  const config = loadConfig(serviceEnv);
  const logger = createLogger('warn', process.stderr);
  const services = await createServices(config, logger, { metrics: new Metrics({ defaultMetrics: false }) });
  try {
    const summary = await ingestDocsFolder(
      { pool: services.db.pool, embedder: services.embedder, chunking: config.chunking, logger },
      { rootDir: docsDir, collection: 'medquad/docs' },
    );
    const { key } = await services.apiClients.create(`bench-${Date.now()}`, ['chat']);
    return { env: serviceEnv, apiKey: key, chunks: summary.chunks.added };
  } finally {
    await services.close();
  }
}

export interface RunningService {
  url: string;
  pid: number;
  /** Resident and peak memory of the service process, from /proc. */
  memory(): Promise<{ rssMb: number; peakRssMb: number; heapUsedMb: number }>;
  /** CPU time (user + system) the service process has used so far, in ms, from /proc. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** The real service (src/main.ts) in its own process, as production runs it; resolves once /healthz answers. */
export function startService(env: Record<string, string>, port: number): Promise<RunningService> {
  return startProcess('src/main.ts', [], env, port);
}

/** What this machine serves doing only the HTTP part of a hit (scripts/bench/reference-server.ts), answering `body`. */
export function startReferenceServer(kind: 'node-http' | 'express', body: string, port: number): Promise<RunningService> {
  return startProcess('scripts/bench/reference-server.ts', [kind], { REFERENCE_BODY: body }, port);
}

async function startProcess(script: string, args: string[], env: Record<string, string>, port: number): Promise<RunningService> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with code ${child.exitCode} before answering`);
    const healthy = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (healthy) break;
    if (attempt > 300) throw new Error(`${script} did not answer /healthz within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    pid: child.pid!,
    async memory() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0);
      // The heap as the service itself reports it (prom-client's default metrics).
      const metrics = await fetch(`${url}/metrics`).then((response) => response.text(), () => '');
      const heapBytes = Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1] ?? Number.NaN);
      return { rssMb: round(kb('VmRSS') / 1024, 1), peakRssMb: round(kb('VmHWM') / 1024, 1), heapUsedMb: round(heapBytes / 2 ** 20, 1) };
    },
    async cpuMs() {
      // Fields 14 and 15 of /proc/<pid>/stat, after the command name (which may hold spaces), in USER_HZ (100 a second).
      const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A port nobody listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * An OpenAI-compatible server on loopback that answers at once: embeddings are the
 * offline embedder's vectors (so retrieval still finds related chunks), chat completions
 * a short cited answer, streamed or not, shaped like the recorded replies in test/fixtures.
 */
export async function startFakeOpenAI(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const answer = ['According to the sources, ', 'this is the answer [1].'];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (raw += part));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as { input?: string | string[]; stream?: boolean; encoding_format?: string };
      if (req.url?.endsWith('/embeddings')) {
        const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ''];
        const data = inputs.map((input, index) => {
          const vector = embedDocumentText(input);
          const embedding = body.encoding_format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector);
          return { object: 'embedding', index, embedding };
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data, model: 'text-embedding-3-small', usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } }));
      } else if (req.url?.endsWith('/chat/completions')) {
        res.writeHead(200, { 'content-type': body.stream ? 'text/event-stream' : 'application/json' });
        res.end(body.stream ? chatCompletionStream(answer) : JSON.stringify(chatCompletion(answer.join(''))));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** MedQuAD questions, in file order: distinct questions make cache misses. */
export async function medquadQuestions(limit: number): Promise<string[]> {
  const lines = (await readFile(path.join(MEDQUAD, 'questions.jsonl'), 'utf8')).split('\n').filter(Boolean);
  return lines.slice(0, limit).map((line) => (JSON.parse(line) as { question: string }).question);
}

export interface LoadOptions {
  url: string;
  apiKey: string;
  /** The message of each request, called once per request. */
  message: () => string;
  connections: number;
  durationSeconds: number;
  /** Requests per second over all connections; unset = as fast as answers come. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
}

/** The headers of a benchmark's POST /v1/chat: JSON, the API key, the benchmark's doctor. */
export function chatHeaders(apiKey: string): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'x-doctor-id': DOCTOR_ID };
}

/**
 * POST /v1/chat under autocannon, loopback only, stopping by itself after the duration.
 * Latencies come from every response (autocannon's own histogram rounds to whole ms).
 */
export async function loadChat(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.url}/v1/chat`,
        connections: options.connections,
        duration: options.durationSeconds,
        ...(options.rate ? { overallRate: options.rate } : {}),
        requests: [
          {
            method: 'POST',
            headers: chatHeaders(options.apiKey),
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ message: options.message() }) }),
          },
        ],
      },
      (error, finished) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / options.durationSeconds, 0),
    p50Ms: round(percentile(latencies, 50), 2),
    p90Ms: round(percentile(latencies, 90), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    // Not Math.max(...latencies): spread past ~100,000 arguments overflows the stack.
    maxMs: round(latencies.reduce((max, value) => Math.max(max, value), 0), 1),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
