import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets in seconds, from a cache hit to a slow model reply. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Prometheus metrics of one service instance. A class rather than module globals so
 * tests can create apps side by side without "metric already registered" errors.
 */
export class Metrics {
  readonly registry = new Registry();
  /** When counting began (ms since the epoch): what every counter's total is since. */
  readonly startedAt = Date.now();
  readonly httpRequests = new Counter({
    ...this.named('http_requests_total', 'HTTP requests by route, method and status.'),
    labelNames: ['method', 'route', 'status'] as const,
  });
  readonly httpDuration = new Histogram({
    ...this.named('http_request_duration_seconds', 'HTTP request latency by route, method and status.'),
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
  });
  readonly cacheLookups = new Counter({
    ...this.named('answer_cache_lookups_total', 'Answer cache lookups by result (exact_hit, semantic_hit, miss, error).'),
    labelNames: ['result'] as const,
  });
  readonly embeddingCalls = new Counter({
    ...this.named('embedding_calls_total', 'Embedding requests made, by model and purpose (ingest, query).'),
    labelNames: ['model', 'purpose'] as const,
  });
  readonly embeddingTokens = new Counter({
    ...this.named('embedding_tokens_total', 'Tokens embedded, by model and purpose.'),
    labelNames: ['model', 'purpose'] as const,
  });
  readonly retrievalDuration = new Histogram({
    ...this.named('retrieval_duration_seconds', 'Latency of search_chunks calls (query embedding excluded).'),
    buckets: SECONDS.filter((seconds) => seconds <= 2.5),
  });
  readonly searchRefusals = new Counter({
    ...this.named('search_refusals_total', 'Searches that found too little to answer from (the chat then refuses), by reason (no_hits, below_floor).'),
    labelNames: ['reason'] as const,
  });
  readonly jobProgress = new Gauge({
    ...this.named('ingest_job_documents_processed', 'Documents processed by the running ingest job, by kind.'),
    labelNames: ['kind'] as const,
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** A metric's name and help, registered in this instance's registry only. */
  private named(name: string, help: string): { name: string; help: string; registers: Registry[] } {
    return { name, help, registers: [this.registry] };
  }
}
