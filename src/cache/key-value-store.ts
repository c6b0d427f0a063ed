/**
 * A small key-value store with expiry and sets, backed by Redis when REDIS_URL is set and
 * by process memory otherwise. Methods throw DependencyError('redis') when Redis fails;
 * callers that can live without a cache catch it and carry on (see answer cache).
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /** Adds members to a set (used as reverse indexes: source -> cache keys). */
  addToSet(key: string, members: string[], ttlSeconds: number): Promise<void>;
  /** Returns and removes a set's members. */
  popSet(key: string): Promise<string[]>;
  /** Adds `amount` to a counter that expires `ttlSeconds` after its creation; returns the new value. */
  increment(key: string, ttlSeconds: number, amount?: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
