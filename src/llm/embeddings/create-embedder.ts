import type { Config } from '../../config.js';
import type { Embedder } from './embedder.js';
import { OfflineEmbedder } from './offline-embedder.js';

/**
 * OpenAI when a key is configured, the configured offline embedder otherwise. LangChain's
 * OpenAI client (~60 MB of memory) and TF.js with the sentence encoder are loaded only
 * when they are used.
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
  return new OpenAIEmbedder({
    apiKey: openai.apiKey,
    baseURL: openai.baseURL,
    model: openai.embeddingModel,
    timeoutMs: openai.timeoutMs,
    maxRetries: openai.maxRetries,
    maxConcurrency: openai.embeddingConcurrency,
  });
}
