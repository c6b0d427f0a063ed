import { afterAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/cache/key-value-store.js';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { RedisStore } from '../../src/cache/redis-store.js';
import { DependencyError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { CLOSED_PORT, realRedisUrl, uniqueRedisPrefix } from '../support/services.js';

const logger = createLogger('silent');
const redisUrl = realRedisUrl();
const stores: [string, () => KeyValueStore][] = [['memory', () => new MemoryStore()]];
if (redisUrl) {
  stores.push(['redis', () => new RedisStore({ url: redisUrl, commandTimeoutMs: 1_000, keyPrefix: uniqueRedisPrefix() }, logger)]);
}

describe.each(stores)('%s store', (_name, create) => {
  const store = create();
  afterAll(() => store.close());

  it('when a value is set, then it is read back until deleted', async () => {
    await store.set('a', 'one', 60);
    expect(await store.get('a')).toBe('one');
    await store.delete(['a']);
    expect(await store.get('a')).toBeNull();
  });

  it('when a value expires, then it is gone', async () => {
    await store.set('short', 'x', 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await store.get('short')).toBeNull();
  });

  it('when a counter is incremented, then it counts', async () => {
    expect(await store.increment('c', 60)).toBe(1);
    expect(await store.increment('c', 60, 2)).toBe(3);
  });
});

describe('redis store when Redis is down', () => {
  it('when a command is sent, then it fails fast with a DependencyError instead of hanging', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${CLOSED_PORT}`, commandTimeoutMs: 200, keyPrefix: 'x:' }, logger);
    const started = Date.now();
    await expect(store.get('k')).rejects.toBeInstanceOf(DependencyError);
    expect(Date.now() - started).toBeLessThan(2_000);
    await store.close();
  });
});
