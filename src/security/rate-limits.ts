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
  const client = limiter(store, 'rl:client', config.clientPerMinute);
  const doctor = limiter(store, 'rl:doctor', config.doctorPerMinute);
  return {
    consumeClient: (clientId) => consume(client, clientId, 'this API client'),
    consumeDoctor: (doctorId) => consume(doctor, doctorId, 'this doctor'),
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

async function consume(limiter: RateLimiterAbstract, key: string, who: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    throw new RateLimitedError(`Too many requests for ${who}; retry later.`, {
      retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)),
    });
  }
}
