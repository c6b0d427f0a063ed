import type { Metrics } from './metrics.js';

/** Requests and latency of one route (all statuses), from the HTTP histogram. */
export interface RouteSummary {
  method: string;
  route: string;
  requests: number;
  /** Answers with a 5xx status. */
  serverErrors: number;
  /** Latency percentiles in seconds, interpolated within histogram buckets; null without requests. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface MetricsSummary {
  /** Seconds since this process's metrics started counting. */
  sinceSeconds: number;
  routes: RouteSummary[];
  /** Answer cache lookups by result (exact_hit, semantic_hit, miss, error). */
  cacheLookups: Record<string, number>;
  /** Searches refused for want of evidence, by reason. */
  refusals: Record<string, number>;
  retrieval: { searches: number; p50: number | null; p95: number | null; p99: number | null };
}

interface Buckets {
  /** Cumulative counts by upper bound, ascending; the last bound is +Inf. */
  bounds: number[];
  counts: number[];
}

/**
 * What the admin console charts, read from this process's own Prometheus registry: the
 * numbers /metrics exposes, grouped per route and turned into percentiles the way
 * Prometheus's histogram_quantile does.
 */
export async function summarizeMetrics(metrics: Metrics): Promise<MetricsSummary> {
  const [http, requests, cache, refusals, retrieval] = await Promise.all([
    metrics.httpDuration.get(),
    metrics.httpRequests.get(),
    metrics.cacheLookups.get(),
    metrics.searchRefusals.get(),
    metrics.retrievalDuration.get(),
  ]);

  const perRoute = new Map<string, { method: string; route: string; buckets: Map<number, number>; serverErrors: number }>();
  const entry = (labels: Partial<Record<string, string | number>>) => {
    const method = String(labels.method ?? '');
    const route = String(labels.route ?? '');
    const key = `${method} ${route}`;
    let found = perRoute.get(key);
    if (!found) {
      found = { method, route, buckets: new Map(), serverErrors: 0 };
      perRoute.set(key, found);
    }
    return found;
  };
  for (const value of http.values) {
    if (!value.metricName?.endsWith('_bucket')) continue;
    const target = entry(value.labels).buckets;
    // Bucket values carry their upper bound as the `le` label, which the label types omit.
    const bound = boundOf((value.labels as { le?: string | number }).le);
    target.set(bound, (target.get(bound) ?? 0) + value.value);
  }
  for (const value of requests.values) {
    if (Number(value.labels.status) >= 500) entry(value.labels).serverErrors += value.value;
  }

  const routes = [...perRoute.values()]
    .map(({ method, route, buckets, serverErrors }) => {
      const sorted = toBuckets(buckets);
      return { method, route, requests: sorted.counts.at(-1) ?? 0, serverErrors, ...percentiles(sorted) };
    })
    .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));

  const retrievalBuckets = new Map<number, number>();
  for (const value of retrieval.values) {
    if (value.metricName?.endsWith('_bucket')) retrievalBuckets.set(boundOf((value.labels as { le?: string | number }).le), value.value);
  }
  const retrievalSorted = toBuckets(retrievalBuckets);

  return {
    sinceSeconds: Math.round((Date.now() - metrics.startedAt) / 1000),
    routes,
    cacheLookups: countsBy(cache.values, 'result'),
    refusals: countsBy(refusals.values, 'reason'),
    retrieval: { searches: retrievalSorted.counts.at(-1) ?? 0, ...percentiles(retrievalSorted) },
  };
}

function boundOf(le: string | number | undefined): number {
  return le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
}

function toBuckets(byBound: Map<number, number>): Buckets {
  const entries = [...byBound.entries()].sort(([a], [b]) => a - b);
  return { bounds: entries.map(([bound]) => bound), counts: entries.map(([, count]) => count) };
}

function percentiles(buckets: Buckets): { p50: number | null; p95: number | null; p99: number | null } {
  return { p50: quantile(buckets, 0.5), p95: quantile(buckets, 0.95), p99: quantile(buckets, 0.99) };
}

/**
 * The q-quantile of a cumulative histogram, linear within the bucket that holds it (as
 * histogram_quantile); in the +Inf bucket, the highest finite bound.
 */
export function quantile({ bounds, counts }: Buckets, q: number): number | null {
  const total = counts.at(-1) ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  const index = counts.findIndex((count) => count >= rank);
  const upper = bounds[index]!;
  const lower = index === 0 ? 0 : bounds[index - 1]!;
  if (upper === Number.POSITIVE_INFINITY) return lower;
  const below = index === 0 ? 0 : counts[index - 1]!;
  const inBucket = counts[index]! - below;
  return inBucket === 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
}

function countsBy(values: readonly { labels: Partial<Record<string, string | number>>; value: number }[], label: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) {
    const key = String(value.labels[label] ?? '');
    counts[key] = (counts[key] ?? 0) + value.value;
  }
  return counts;
}
