import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The prefix of every metric of this service. Node's process metrics (process_*,
 * nodejs_*) keep their standard names, which dashboards and alerts for any Node service
 * expect.
 */
const PREFIX = 'llm_assistant_';

/** Latency buckets in seconds, from a cache hit to a slow model reply. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Latency buckets of one language-model call, whose deadline with retries reaches minutes. */
const MODEL_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
/** Duration buckets of a records sync run: a quiet run in milliseconds, a first sync in minutes to hours. */
const SYNC_SECONDS = [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 10800];

/**
 * Prometheus metrics of one service instance. A class rather than module globals so
 * tests can create apps side by side without "metric already registered" errors.
 */
export class Metrics {
  readonly registry = new Registry();
  /** When counting began (ms since the epoch): what every counter's total is since. */
  readonly startedAt = Date.now();
  readonly httpRequests = this.counter('http_requests_total', 'HTTP requests by route, method and status.', ['method', 'route', 'status']);
  readonly httpDuration = this.histogram('http_request_duration_seconds', 'HTTP request latency by route, method and status.', SECONDS, ['method', 'route', 'status']);
  readonly rateLimited = this.counter('http_rate_limited_total', 'Requests refused with 429 (a client or doctor over its rate limit), by route and method.', ['method', 'route']);
  readonly cacheLookups = this.counter('answer_cache_lookups_total', 'Answer cache lookups by result (exact_hit, semantic_hit: the nearest cached question, miss, error).', ['result']);
  readonly embeddingCalls = this.counter('embedding_calls_total', 'Embedding calls that succeeded (requests to the provider, or batches of an offline embedder; cached query vectors excluded), by model and purpose (ingest, query).', ['model', 'purpose']);
  readonly embeddingTokens = this.counter('embedding_tokens_total', 'Tokens sent to an embedding API, by model and purpose (0 for offline embedders).', ['model', 'purpose']);
  readonly chatModelCalls = this.counter('chat_model_calls_total', 'Chat model calls, by model and operation (answer, condense, summarise), failed ones included.', ['model', 'operation']);
  readonly chatModelTokens = this.counter('chat_model_tokens_total', 'Tokens of successful chat model calls, by model, operation and type (prompt, completion).', ['model', 'operation', 'type']);
  readonly chatModelDuration = this.histogram('chat_model_call_duration_seconds', 'Latency of chat model calls with their retries (a streamed answer: to its end), by model, operation and outcome (ok, failed).', MODEL_SECONDS, ['model', 'operation', 'outcome']);
  readonly chatModelFailures = this.counter('chat_model_failures_total', 'Failed chat model calls, by model, operation and kind (rate_limited, server_error, timeout, network, rejected, incomplete, unknown, aborted).', ['model', 'operation', 'kind']);
  readonly retrievalDuration = this.histogram('retrieval_duration_seconds', 'Latency of search_chunks calls (query embedding excluded).', SECONDS.filter((seconds) => seconds <= 2.5));
  readonly searchRefusals = this.counter('search_refusals_total', 'Searches that found too little to answer from (the chat then refuses), by the evidence verdict\'s reason (no_hits, below_floor).', ['reason']);
  readonly jobProgress = new Gauge({ ...this.named('ingest_job_documents_processed', 'Documents processed by the running ingest job (or the last one, once it ended), by kind.'), labelNames: ['kind'] as const });

  readonly recordsSyncRuns = this.counter('records_sync_runs_total', 'Records sync runs by outcome (succeeded, failed, locked: another replica held the run).', ['outcome']);
  readonly recordsSyncDuration = this.histogram('records_sync_run_duration_seconds', 'Duration of records sync runs, by outcome (succeeded, failed; locked runs do nothing).', SYNC_SECONDS, ['outcome']);
  readonly recordsSyncRowsRead = this.counter('records_sync_rows_read_total', 'Platform rows read by the records sync (row loads, change lists, digests).');
  readonly recordsSyncPatients = this.counter('records_sync_patients_total', 'Patients the records sync wrote to the index, by change (indexed: new or changed; removed: deleted, or no doctor left).', ['change']);
  readonly recordsSyncRowsSkipped = this.counter('records_sync_rows_skipped_total', 'Platform rows the records sync reported as problems and left out (rows that hang from them not counted).');
  readonly recordsSyncLag = new Gauge({
    ...this.named(
      'records_sync_lag_seconds',
      'Seconds since the last successful records sync run started (platform changes older than that are indexed); while none has, since this instance started; 0 with the sync off and never run.',
    ),
    // Read at each scrape from the shared sync state, so every replica shows the same lag.
    collect: async () => {
      const lag = await this.recordsSyncLagReader?.().catch(() => undefined);
      if (lag !== undefined) this.recordsSyncLag.set(lag);
    },
  });
  private recordsSyncLagReader: (() => Promise<number>) | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the records sync's lag is read at each scrape (the records sync service sets it). */
  readRecordsSyncLag(reader: () => Promise<number>): void {
    this.recordsSyncLagReader = reader;
  }

  private counter<Label extends string = never>(name: string, help: string, labelNames: readonly Label[] = []): Counter<Label> {
    return new Counter({ ...this.named(name, help), labelNames });
  }

  private histogram<Label extends string = never>(name: string, help: string, buckets: number[], labelNames: readonly Label[] = []): Histogram<Label> {
    return new Histogram({ ...this.named(name, help), labelNames, buckets });
  }

  /** A metric's prefixed name and help, registered in this instance's registry only. */
  private named(name: string, help: string): { name: string; help: string; registers: Registry[] } {
    return { name: `${PREFIX}${name}`, help, registers: [this.registry] };
  }
}
