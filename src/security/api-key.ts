import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../lib/sha256.js';

/**
 * API keys look like `llm_<prefix>_<secret>`: the prefix (12 hex chars) is not secret and
 * finds the row; the secret is 32 random bytes, base64url. Only sha256(key) is stored.
 */
const KEY_PATTERN = /^llm_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

export interface GeneratedApiKey {
  key: string;
  prefix: string;
  hash: string;
}

/** A fresh key with its lookup prefix and the hash to store. */
export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(6).toString('hex');
  const key = `llm_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The lookup prefix of a well-formed key, or null for anything else. */
export function apiKeyPrefix(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** Constant-time comparison of a presented key with a stored hash (both 32-byte digests). */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const presented = hash('sha256', key, 'buffer');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
