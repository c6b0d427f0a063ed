import type { Config } from '../../config.js';
import type { ChatModel } from './chat-model.js';
import { ExtractiveChatModel } from './extractive-chat-model.js';
import { OpenAIChatModel } from './openai-chat-model.js';

/** OpenAI when a key is configured, the extractive answerer otherwise. */
export function createChatModel(openai: Config['openai']): ChatModel {
  if (!openai) return new ExtractiveChatModel();
  return new OpenAIChatModel({
    apiKey: openai.apiKey,
    baseURL: openai.baseURL,
    model: openai.chatModel,
    temperature: openai.temperature,
    timeoutMs: openai.timeoutMs,
    maxRetries: openai.maxRetries,
  });
}
