import type { Config } from '../../config.js';
import type { Embedder } from './embedder.js';
import { OfflineEmbedder } from './offline-embedder.js';

/**
 * OpenAI when a key is configured, the offline embedder otherwise. LangChain's OpenAI
 * client (~60 MB of memory) is loaded only when it is used.
 */
export async function createEmbedder(openai: Config['openai']): Promise<Embedder> {
  if (!openai) return new OfflineEmbedder();
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
