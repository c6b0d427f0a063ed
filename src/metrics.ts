import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one service instance. A class rather than module globals so
 * tests can create apps side by side without "metric already registered" errors.
 */
export class Metrics {
  readonly registry = new Registry();
  /** When counting began (ms since the epoch): what every counter's total is since. */
  readonly startedAt = Date.now();
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'answer_cache_lookups_total',
    help: 'Answer cache lookups by result (exact_hit, semantic_hit, miss, error).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly embeddingCalls = new Counter({
    name: 'embedding_calls_total',
    help: 'Embedding requests made, by model and purpose (ingest, query).',
    labelNames: ['model', 'purpose'] as const,
    registers: [this.registry],
  });
  readonly embeddingTokens = new Counter({
    name: 'embedding_tokens_total',
    help: 'Tokens embedded, by model and purpose.',
    labelNames: ['model', 'purpose'] as const,
    registers: [this.registry],
  });
  readonly retrievalDuration = new Histogram({
    name: 'retrieval_duration_seconds',
    help: 'Latency of search_chunks calls (query embedding excluded).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly searchRefusals = new Counter({
    name: 'search_refusals_total',
    help: 'Searches that found too little to answer from (the chat then refuses), by reason (no_hits, below_floor).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly jobProgress = new Gauge({
    name: 'ingest_job_documents_processed',
    help: 'Documents processed by the running ingest job, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
