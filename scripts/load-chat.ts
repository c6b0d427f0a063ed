import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import pg from 'pg';
import { positiveInteger } from '../src/cli/cli-options.js';
import { appendToBenchmarks, copyCorpus, describeMachine, formatTable, type BenchReport } from './bench/lib.js';
import { freePort, loadChat, medquadQuestions, prepareChatDatabase, startService } from './bench/chat-service.js';

/**
 * `npx tsx scripts/load-chat.ts [--rate 50] [--duration 180]`: the chat route of the real
 * service process (offline providers, real PostgreSQL and Redis, loopback only) at a
 * fixed rate, stopping by itself; reports errors, latency percentiles and the service's
 * memory growth, and appends them to docs/benchmarks.md.
 */

const program = new Command()
  .name('load-chat')
  .option('--rate <n>', 'requests per second', positiveInteger, 50)
  .option('--duration <seconds>', 'length of the run (bounded: at most 30 minutes)', positiveInteger, 180)
  .option('--documents <n>', 'MedQuAD documents indexed first', positiveInteger, 1_000)
  .option('--server <url>', 'PostgreSQL server whose llm_bench_load database is (re)created', 'postgres://postgres@127.0.0.1:5432/postgres')
  .action(async (options: { rate: number; duration: number; documents: number; server: string }) => {
    const duration = Math.min(options.duration, 1_800);
    const server = new pg.Client({ connectionString: options.server });
    await server.connect();
    const machine = await describeMachine(server).finally(() => server.end());
    const corpus = await copyCorpus(options.documents);
    try {
      const questions = await medquadQuestions(16_000);
      const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `llm-load-${randomBytes(4).toString('hex')}:` };
      console.error(`indexing ${corpus.files.length} documents`);
      const prepared = await prepareChatDatabase(options.server, 'llm_bench_load', corpus.dir, env);
      const service = await startService(prepared.env, await freePort());
      try {
        const before = await service.memory();
        let next = 0;
        console.error(`${options.rate} req/s for ${duration} s`);
        // Mostly distinct questions, every fifth a repeat: misses and cache hits, as in use.
        const result = await loadChat({
          url: service.url,
          apiKey: prepared.apiKey,
          message: () => (next++ % 5 === 4 ? questions[0]! : questions[next % questions.length]!),
          connections: Math.max(10, Math.ceil(options.rate / 5)),
          durationSeconds: duration,
          rate: options.rate,
        });
        const after = await service.memory();
        const report: BenchReport = {
          title: `load-chat: ${options.rate} req/s for ${duration} s, offline providers`,
          columns: ['requests', 'req/s', 'errors', 'non-2xx', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'RSS start MB', 'RSS end MB', 'peak RSS MB', 'heap start MB', 'heap end MB'],
          rows: [[result.requests, result.requestsPerSecond, result.errors, result.non2xx, result.p50Ms, result.p90Ms, result.p99Ms, result.maxMs,
            before.rssMb, after.rssMb, after.peakRssMb, before.heapUsedMb, after.heapUsedMb]],
          notes: [
            `The service as its own process over ${corpus.files.length} MedQuAD documents, real PostgreSQL and Redis, logs at warn; one request in five repeats a question (cache hit).`,
            `Memory growth over the run: ${(after.rssMb - before.rssMb).toFixed(1)} MB RSS, ${(after.heapUsedMb - before.heapUsedMb).toFixed(1)} MB heap used (sampled, not after a forced GC).`,
          ],
          figures: { ...result, rate: options.rate, durationSeconds: duration, memoryStart: before, memoryEnd: after },
        };
        console.log(`\n${report.title}\n\n${formatTable(report.columns, report.rows)}\n\n${report.notes.map((n) => `- ${n}`).join('\n')}`);
        await appendToBenchmarks(`npx tsx scripts/load-chat.ts ${process.argv.slice(2).join(' ')}`, machine, report);
      } finally {
        await service.stop();
      }
    } finally {
      await rm(path.dirname(corpus.dir), { recursive: true, force: true });
    }
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
}
