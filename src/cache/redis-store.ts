import { Redis } from 'ioredis';
import { DependencyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { KeyValueStore } from './key-value-store.js';

export interface RedisStoreOptions {
  url: string;
  commandTimeoutMs: number;
  keyPrefix: string;
}

/**
 * Redis behind the KeyValueStore interface. Commands fail fast when Redis is down (no
 * offline queue, a command timeout) so a request never waits on a dead cache; the client
 * keeps reconnecting in the background and the cache comes back by itself.
 */
export class RedisStore implements KeyValueStore {
  readonly kind = 'redis';
  readonly client: Redis;

  constructor(options: RedisStoreOptions, logger: Logger) {
    this.client = new Redis(options.url, {
      keyPrefix: options.keyPrefix,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
      // Commands issued in the same tick (rate limits, vector reads of concurrent requests) share one write.
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    let reported = false;
    this.client.on('error', (error: Error) => {
      // Log the first failure of an outage, not every reconnect attempt.
      if (!reported) logger.warn({ err: { message: error.message } }, 'redis unavailable; serving without shared rate limits and query vectors');
      reported = true;
    });
    this.client.on('ready', () => {
      if (reported) logger.info('redis connection restored');
      reported = false;
    });
  }

  get(key: string): Promise<string | null> {
    return this.run('get', () => this.client.get(key));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.run('set', () => this.client.set(key, value, 'EX', ttlSeconds));
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.run('del', () => this.client.del(...keys));
  }

  async increment(key: string, ttlSeconds: number, amount = 1): Promise<number> {
    const result = await this.run('incrby', () =>
      this.client.multi().incrby(key, amount).expire(key, ttlSeconds, 'NX').exec(),
    );
    return Number(result?.[0]?.[1] ?? amount);
  }

  async ping(): Promise<void> {
    await this.run('ping', () => this.client.ping());
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private async run<T>(command: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new DependencyError('redis', `Redis ${command} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}
