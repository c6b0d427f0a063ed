import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { KeyValueStore } from '../cache/key-value-store.js';
import { RedisStore } from '../cache/redis-store.js';
import type { Config } from '../config.js';
import { RateLimitedError } from '../errors.js';

/** Per-client and per-doctor request budgets; each call spends one request or throws 429. */
export interface RateLimits {
  consumeClient(clientId: string): Promise<void>;
  consumeDoctor(doctorId: string): Promise<void>;
}

const WINDOW_SECONDS = 60;

/**
 * Fixed one-minute windows, shared through Redis across instances when Redis is
 * configured. Each Redis limiter has an in-process insurance limiter: when Redis is down
 * (or not ready) requests are counted per instance instead of refused or let through.
 */
export function createRateLimits(config: Config['rateLimit'], store: KeyValueStore): RateLimits {
  const client = new LeasedBudget(limiter(store, 'rl:client', config.clientPerMinute), config.clientPerMinute, 'this API client');
  const doctor = new LeasedBudget(limiter(store, 'rl:doctor', config.doctorPerMinute), config.doctorPerMinute, 'this doctor');
  return {
    consumeClient: (clientId) => client.consume(clientId),
    consumeDoctor: (doctorId) => doctor.consume(doctorId),
  };
}

function limiter(store: KeyValueStore, keyPrefix: string, points: number): RateLimiterAbstract {
  const options = { keyPrefix, points, duration: WINDOW_SECONDS };
  if (!(store instanceof RedisStore)) return new RateLimiterMemory(options);
  return new RateLimiterRedis({
    ...options,
    storeClient: store.client,
    // Straight to the insurance limiter while Redis reconnects, instead of a command timeout per request.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

/** Points of one key taken from the shared limiter and not spent yet, until its window ends. */
interface Lease {
  remaining: number;
  expiresAt: number;
}

/** How often leases whose window has ended are dropped. */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * Spends requests from points taken from the shared limiter a block at a time: most
 * requests then spend a point held in this process instead of a Redis round trip (the
 * two limit scripts were a sixth of a cache hit's CPU). A block is 1% of the limit, at
 * most 100 points, so a low limit (a doctor's 60 a minute) is still counted request by
 * request. The shared count is never exceeded; across N instances, a caller can be
 * limited at most (N - 1) blocks early, by points another instance holds unspent.
 */
export class LeasedBudget {
  private readonly leases = new Map<string, Lease>();
  private readonly refills = new Map<string, Promise<void>>();
  private nextSweep = 0;
  readonly block: number;

  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly points: number,
    private readonly who: string,
  ) {
    this.block = Math.max(1, Math.min(100, Math.floor(points / 100)));
  }

  /** Spends one request of the key's budget; throws RateLimitedError when none is left. */
  async consume(key: string): Promise<void> {
    for (;;) {
      const lease = this.leases.get(key);
      if (lease && lease.remaining > 0 && lease.expiresAt > Date.now()) {
        lease.remaining -= 1;
        // Spent leases go at once: with a block of one (low limits) the map stays empty.
        if (lease.remaining === 0) this.leases.delete(key);
        return;
      }
      // Concurrent requests of one key wait for the same block, then spend it.
      let refill = this.refills.get(key);
      if (!refill) {
        refill = this.take(key).finally(() => this.refills.delete(key));
        this.refills.set(key, refill);
      }
      await refill;
    }
  }

  private async take(key: string): Promise<void> {
    let granted = this.block;
    let msBeforeNext: number;
    try {
      msBeforeNext = (await this.limiter.consume(key, this.block)).msBeforeNext;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // The whole block was counted; the points that were still free before it are ours.
      granted = Math.max(0, this.points - (error.consumedPoints - this.block));
      msBeforeNext = error.msBeforeNext;
      if (granted === 0) {
        throw new RateLimitedError(`Too many requests for ${this.who}; retry later.`, {
          retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)),
        });
      }
    }
    const now = Date.now();
    this.leases.set(key, { remaining: granted, expiresAt: now + msBeforeNext });
    // Leases a key left unspent when its window ended; swept now and then, never per request.
    if (now >= this.nextSweep) {
      this.nextSweep = now + SWEEP_INTERVAL_MS;
      for (const [other, lease] of this.leases) if (lease.expiresAt <= now) this.leases.delete(other);
    }
  }
}
