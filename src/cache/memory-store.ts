import { LRUCache } from 'lru-cache';
import type { KeyValueStore } from './key-value-store.js';

type Entry = string | { count: number };

/** In-process store for the embedded default and tests; bounded so it cannot grow without limit. */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';
  private readonly entries: LRUCache<string, Entry>;

  constructor(maxEntries = 50_000) {
    this.entries = new LRUCache<string, Entry>({ max: maxEntries, ttlAutopurge: false });
  }

  get(key: string): Promise<string | null> {
    const value = this.entries.get(key);
    return Promise.resolve(typeof value === 'string' ? value : null);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, value, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }

  delete(keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }

  increment(key: string, ttlSeconds: number, amount = 1): Promise<number> {
    const existing = this.entries.get(key);
    if (existing && typeof existing === 'object' && 'count' in existing) {
      existing.count += amount;
      return Promise.resolve(existing.count);
    }
    this.entries.set(key, { count: amount }, { ttl: ttlSeconds * 1000 });
    return Promise.resolve(amount);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }
}
