import type { Config } from '../../config.js';
import type { Embedder } from './embedder.js';
import { OfflineEmbedder } from './offline-embedder.js';

/**
 * OpenAI when a key is configured, the configured offline embedder otherwise. The OpenAI
 * SDK and TF.js with the sentence encoder are loaded only when they are used.
 */
export async function createEmbedder(
  openai: Config['openai'],
  offline: Config['offlineEmbedder'] = 'hashing',
): Promise<Embedder> {
  if (!openai) {
    if (offline === 'hashing') return new OfflineEmbedder();
    const { SentenceEncoderEmbedder } = await import('./sentence-encoder-embedder.js');
    return new SentenceEncoderEmbedder();
  }
  const { OpenAIEmbedder } = await import('./openai-embedder.js');
  return new OpenAIEmbedder({ ...openai, model: openai.embeddingModel, maxConcurrency: openai.embeddingConcurrency });
}
