import { sha256Hex } from '../lib/sha256.js';
import { LRUCache } from 'lru-cache';
import type { KeyValueStore } from '../cache/key-value-store.js';
import { EmbedderDecorator, type EmbedOptions, type Embedder } from '../llm/embeddings/embedder.js';

const TTL_SECONDS = 7 * 86_400;
/** Vectors kept in process (~12 KB each): the questions being answered right now and the latest repeats. */
const RECENT_VECTORS = 256;

/**
 * An Embedder whose query vectors are cached by model and text hash, so a repeated
 * question never calls the embedding API again: in process for the latest questions,
 * in the store (Redis) for every replica. A store failure just means a miss.
 */
export class CachedQueryEmbedder extends EmbedderDecorator {
  private readonly recent = new LRUCache<string, number[]>({ max: RECENT_VECTORS });

  constructor(
    inner: Embedder,
    private readonly store: KeyValueStore,
  ) {
    super(inner);
  }

  override async embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    const key = `qemb:${this.model}:${sha256Hex(text)}`;
    const recent = this.recent.get(key);
    if (recent) return recent;
    const cached = await this.store.get(key).catch(() => null);
    const vector = cached ? vectorFromBase64(cached) : await this.inner.embedQuery(text, options);
    if (!cached) {
      // Nobody waits for the store: a lost write is a later miss.
      void this.store.set(key, vectorToBase64(vector), TTL_SECONDS).catch(() => undefined);
    }
    this.recent.set(key, vector);
    return vector;
  }
}

// float32 is what pgvector stores anyway; base64 keeps a 1536-d vector at ~8 KB.
function vectorToBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

function vectorFromBase64(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
}
