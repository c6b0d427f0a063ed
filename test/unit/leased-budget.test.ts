import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/errors.js';
import { LeasedBudget } from '../../src/security/rate-limits.js';

/** A shared limiter (Redis in production) and the points it has counted for a key. */
function sharedLimiter(points: number) {
  const limiter = new RateLimiterMemory({ keyPrefix: 'test', points, duration: 60 });
  return { limiter, counted: async (key: string) => (await limiter.get(key))?.consumedPoints ?? 0 };
}

/** Spends `count` requests one after another; returns how many were allowed. */
async function spend(budget: LeasedBudget, key: string, count: number): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < count; i += 1) {
    try {
      await budget.consume(key);
      allowed += 1;
    } catch (error) {
      expect(error).toBeInstanceOf(RateLimitedError);
    }
  }
  return allowed;
}

describe('LeasedBudget', () => {
  it('when the limit is 1,000 a minute, then points are taken from the shared limiter 10 at a time', async () => {
    const { limiter, counted } = sharedLimiter(1_000);
    const budget = new LeasedBudget(limiter, 1_000, 'this client');
    expect(budget.block).toBe(10);
    await spend(budget, 'a', 1);
    expect(await counted('a')).toBe(10);
    await spend(budget, 'a', 10);
    expect(await counted('a')).toBe(20);
  });

  it('when the limit is low, then every request is counted in the shared limiter', async () => {
    const { limiter, counted } = sharedLimiter(60);
    const budget = new LeasedBudget(limiter, 60, 'this doctor');
    expect(budget.block).toBe(1);
    await spend(budget, 'd', 3);
    expect(await counted('d')).toBe(3);
  });

  it('when the limit is spent, then the next request is refused with a Retry-After within the window', async () => {
    const { limiter } = sharedLimiter(250);
    const budget = new LeasedBudget(limiter, 250, 'this client');
    expect(await spend(budget, 'a', 250)).toBe(250);
    const refused = await budget.consume('a').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('when two instances share a limit, then together they never allow more than it, and one holding points limits the other only by its block', async () => {
    const { limiter } = sharedLimiter(1_000);
    const first = new LeasedBudget(limiter, 1_000, 'this client');
    const second = new LeasedBudget(limiter, 1_000, 'this client');
    expect(await spend(first, 'a', 1)).toBe(1);
    // The first instance holds 9 unspent points of its block.
    const secondAllowed = await spend(second, 'a', 1_100);
    expect(secondAllowed).toBe(1_000 - 10);
    expect(await spend(first, 'a', 20)).toBe(9);
  });

  it('when fewer points are free than a block, then those are granted and no more', async () => {
    const { limiter } = sharedLimiter(1_000);
    const other = new LeasedBudget(limiter, 1_000, 'this client');
    await limiter.consume('a', 995);
    expect(await spend(other, 'a', 10)).toBe(5);
  });

  it('when concurrent requests find no points held, then they share one block instead of taking one each', async () => {
    const { limiter, counted } = sharedLimiter(1_000);
    const budget = new LeasedBudget(limiter, 1_000, 'this client');
    await Promise.all(Array.from({ length: 10 }, () => budget.consume('a')));
    expect(await counted('a')).toBe(10);
  });

  it("when a window ends, then the points left of its block are not spent in the next", async () => {
    const limiter = new RateLimiterMemory({ keyPrefix: 'test', points: 1_000, duration: 1 });
    const budget = new LeasedBudget(limiter, 1_000, 'this client');
    await budget.consume('a');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await budget.consume('a');
    expect((await limiter.get('a'))?.consumedPoints).toBe(10);
  });

  it('when keys differ, then their budgets do', async () => {
    const { limiter } = sharedLimiter(100);
    const budget = new LeasedBudget(limiter, 100, 'this doctor');
    expect(await spend(budget, 'a', 101)).toBe(100);
    expect(await spend(budget, 'b', 1)).toBe(1);
  });
});
