import type { Config } from '../../config.js';
import type { Embedder } from './embedder.js';
import { OfflineEmbedder } from './offline-embedder.js';
import { OpenAIEmbedder } from './openai-embedder.js';

/** OpenAI when a key is configured, the offline embedder otherwise. */
export function createEmbedder(openai: Config['openai']): Embedder {
  if (!openai) return new OfflineEmbedder();
  return new OpenAIEmbedder({
    apiKey: openai.apiKey,
    baseURL: openai.baseURL,
    model: openai.embeddingModel,
    timeoutMs: openai.timeoutMs,
    maxRetries: openai.maxRetries,
    maxConcurrency: openai.embeddingConcurrency,
  });
}
