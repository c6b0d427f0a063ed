import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics.js';
import { quantile, summarizeMetrics } from '../../src/metrics-summary.js';

describe('metrics summary', () => {
  it('when a quantile falls inside a bucket, then it is interpolated linearly within it, as histogram_quantile does', () => {
    const buckets = { bounds: [0.1, 0.5, 1, Number.POSITIVE_INFINITY], counts: [10, 30, 40, 40] };
    expect(quantile(buckets, 0.5)).toBeCloseTo(0.3);
    expect(quantile(buckets, 0.99)).toBeCloseTo(0.98);
    expect(quantile(buckets, 0.1)).toBeCloseTo(0.04);
  });

  it('when the quantile is in the +Inf bucket, then it is the highest finite bound; without observations, null', () => {
    expect(quantile({ bounds: [1, Number.POSITIVE_INFINITY], counts: [1, 10] }, 0.95)).toBe(1);
    expect(quantile({ bounds: [1, Number.POSITIVE_INFINITY], counts: [0, 0] }, 0.5)).toBeNull();
  });

  it('when requests of one route end with several statuses, then they are one route with its 5xx counted apart', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const observe = (route: string, status: string, seconds: number) => {
      const labels = { method: 'GET', route, status };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
    };
    observe('/v1/admin/index', '200', 0.02);
    observe('/v1/admin/index', '200', 0.03);
    observe('/v1/admin/index', '503', 2);
    observe('/healthz', '200', 0.001);
    metrics.cacheLookups.inc({ result: 'miss' }, 2);
    metrics.searchRefusals.inc({ reason: 'below_floor' });

    const summary = await summarizeMetrics(metrics);
    expect(summary.routes.map((route) => [route.route, route.requests, route.serverErrors])).toEqual([
      ['/v1/admin/index', 3, 1],
      ['/healthz', 1, 0],
    ]);
    const index = summary.routes[0]!;
    expect(index.p50).toBeGreaterThan(0.025);
    expect(index.p50).toBeLessThanOrEqual(0.05);
    expect(index.p99).toBeGreaterThan(1);
    expect(summary).toMatchObject({ cacheLookups: { miss: 2 }, refusals: { below_floor: 1 }, retrieval: { searches: 0, p50: null } });
  });
});
