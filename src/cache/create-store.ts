import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { KeyValueStore } from './key-value-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';

export function createKeyValueStore(config: Config['redis'], logger: Logger): KeyValueStore {
  return config ? new RedisStore(config, logger) : new MemoryStore();
}
