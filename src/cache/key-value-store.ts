/**
 * A small key-value store with expiry, for what replicas share and must read fast (query
 * vectors, rate limits, admin sessions): Redis when REDIS_URL is set, process memory otherwise. Methods
 * throw DependencyError('redis') when Redis fails; callers that can live without it
 * catch that and carry on.
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /** Adds `amount` to a counter that expires `ttlSeconds` after its creation; returns the new value. */
  increment(key: string, ttlSeconds: number, amount?: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
