import { createHash } from 'node:crypto';
import type { KeyValueStore } from '../cache/key-value-store.js';
import type { EmbedOptions, Embedder, EmbeddingResult } from '../llm/embeddings/embedder.js';
import type { Metrics } from '../metrics.js';

const TTL_SECONDS = 7 * 86_400;

/**
 * An Embedder whose query vectors are cached by model and text hash, so a repeated
 * question never calls the embedding API again. A cache failure just means a miss.
 */
export class CachedQueryEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly offline: boolean;

  constructor(
    private readonly inner: Embedder,
    private readonly store: KeyValueStore,
    private readonly metrics?: Metrics,
  ) {
    this.model = inner.model;
    this.dimensions = inner.dimensions;
    this.offline = inner.offline;
  }

  embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult> {
    return this.inner.embedDocuments(texts, options);
  }

  async embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    const key = `qemb:${this.model}:${createHash('sha256').update(text).digest('hex')}`;
    const cached = await this.store.get(key).catch(() => null);
    if (cached) return decodeVector(cached);
    const vector = await this.inner.embedQuery(text, options);
    if (!this.inner.offline) this.metrics?.embeddingCalls.inc({ model: this.model, purpose: 'query' });
    await this.store.set(key, encodeVector(vector), TTL_SECONDS).catch(() => undefined);
    return vector;
  }
}

// float32 is what pgvector stores anyway; base64 keeps a 1536-d vector at ~8 KB.
function encodeVector(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

function decodeVector(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
}
