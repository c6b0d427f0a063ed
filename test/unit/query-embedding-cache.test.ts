import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/memory-store.js';
import type { EmbedOptions, Embedder, EmbeddingResult } from '../../src/llm/embeddings/embedder.js';
import { CachedQueryEmbedder } from '../../src/retrieval/query-embedding-cache.js';

/** An embedding API stand-in: answers when told to, counting the questions it is asked. */
class SlowEmbedder implements Embedder {
  readonly model = 'test-model';
  readonly dimensions = 3;
  readonly offline = false;
  readonly asked: string[] = [];
  private pending: (() => void)[] = [];

  embedDocuments(): Promise<EmbeddingResult> {
    throw new Error('not used');
  }

  embedQuery(text: string, _options?: EmbedOptions): Promise<number[]> {
    this.asked.push(text);
    return new Promise((resolve) => this.pending.push(() => resolve([text.length, 0.5, 0.25])));
  }

  answerAll(): void {
    for (const answer of this.pending.splice(0)) answer();
  }
}

/** A store that fails every call, like Redis during an outage. */
class DownStore extends MemoryStore {
  override get(): Promise<string | null> {
    return Promise.reject(new Error('store down'));
  }

  override set(): Promise<void> {
    return Promise.reject(new Error('store down'));
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Embeds once through the cache, the API answering when asked, and lets the store write land. */
async function embedOnce(embedder: CachedQueryEmbedder, api: SlowEmbedder, text: string): Promise<number[]> {
  const vector = embedder.embedQuery(text);
  await settle();
  api.answerAll();
  const result = await vector;
  await settle();
  return result;
}

describe('CachedQueryEmbedder', () => {
  it('when a question was embedded before, then neither the API nor the store is asked again', async () => {
    const inner = new SlowEmbedder();
    const store = new MemoryStore();
    const embedder = new CachedQueryEmbedder(inner, store);
    await embedOnce(embedder, inner, 'What is a stroke?');
    const storeGets: string[] = [];
    store.get = (key) => {
      storeGets.push(key);
      return Promise.resolve(null);
    };

    expect(await embedder.embedQuery('What is a stroke?')).toEqual([17, 0.5, 0.25]);
    expect(inner.asked).toHaveLength(1);
    expect(storeGets).toEqual([]);
  });

  it('when another replica stored the vector, then it is read from the store without an embedding call', async () => {
    const store = new MemoryStore();
    const writer = new SlowEmbedder();
    await embedOnce(new CachedQueryEmbedder(writer, store), writer, 'What is a stroke?');

    const reader = new SlowEmbedder();
    const replicaB = new CachedQueryEmbedder(reader, store);
    expect(await replicaB.embedQuery('What is a stroke?')).toEqual([17, 0.5, 0.25]);
    expect(reader.asked).toEqual([]);
  });

  it('when the store is down, then questions are still embedded', async () => {
    const inner = new SlowEmbedder();
    const embedder = new CachedQueryEmbedder(inner, new DownStore());

    expect(await embedOnce(embedder, inner, 'What is a stroke?')).toEqual([17, 0.5, 0.25]);
  });
});
