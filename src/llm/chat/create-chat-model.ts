import type { Config } from '../../config.js';
import type { ChatModel } from './chat-model.js';
import { ExtractiveChatModel } from './extractive-chat-model.js';

/** OpenAI when a key is configured, the extractive answerer otherwise (LangChain loaded only when used). */
export async function createChatModel(openai: Config['openai']): Promise<ChatModel> {
  if (!openai) return new ExtractiveChatModel();
  const { OpenAIChatModel } = await import('./openai-chat-model.js');
  return new OpenAIChatModel({ ...openai, model: openai.chatModel });
}
