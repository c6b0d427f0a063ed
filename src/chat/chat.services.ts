import { AnswerCache } from '../cache/answer-cache.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { ChatModel } from '../llm/chat/chat-model.js';
import { createChatModel } from '../llm/chat/create-chat-model.js';
import { MeteredChatModel } from '../llm/chat/metered-chat-model.js';
import type { Embedder } from '../llm/embeddings/embedder.js';
import type { Logger } from '../logger.js';
import { ConversationMemory } from '../memory/conversation-memory.js';
import { ConversationRepository } from '../memory/conversation.repository.js';
import type { Metrics } from '../metrics.js';
import type { Retriever } from '../retrieval/search.types.js';
import { auditRecordAccess } from '../security/audit.js';
import type { CachedAnswer, ChatDependencies } from './chat.use-case.js';
import { purgeExpired, type ConversationDependencies } from './conversations.use-case.js';
import { PROMPT_VERSION } from './prompt.js';

/** Chunks asked of the retriever per question; the prompt budget decides how many are used. */
const SEARCH_K = 6;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export interface ChatServices {
  chat: ChatDependencies;
  conversations: ConversationDependencies;
  /** Stops the retention timer. */
  close: () => void;
}

export interface ChatServiceParts {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Database;
  embedder: Embedder;
  /** Searches within the doctor's scope and audits the record chunks it returns (AuditedRetriever). */
  retriever: Retriever;
  /** Replaces the configured chat model (tests). */
  model?: ChatModel;
}

/**
 * Wires chat, memory and the answer cache, purges expired conversations once now and
 * then hourly (the timer never keeps the process alive).
 */
export async function createChatServices(parts: ChatServiceParts): Promise<ChatServices> {
  const { config, logger, db } = parts;
  const model = new MeteredChatModel(parts.model ?? (await createChatModel(config.openai)), parts.metrics);
  const repository = new ConversationRepository(db.pool, config.memory.retentionDays);
  const cache = new AnswerCache<CachedAnswer>(
    db.pool,
    {
      ttlSeconds: config.cache.ttlSeconds,
      semanticMinSimilarity: config.cache.semanticMinSimilarity,
      embeddingModel: parts.embedder.model,
      chatModel: model.model,
      settings: JSON.stringify({ prompt: PROMPT_VERSION, searchK: SEARCH_K, sourceTokens: config.prompt.contextTokens, search: config.search }),
    },
    parts.metrics,
    logger,
  );
  const conversations: ConversationDependencies = { conversations: repository, cache, logger };
  const chat: ChatDependencies = {
    retriever: parts.retriever,
    model,
    memory: new ConversationMemory(repository, model, config.memory.windowTokens, logger),
    cache,
    auditRecords: (reader, hits) => auditRecordAccess(db.pool, reader, hits),
    logger,
    limits: { searchK: SEARCH_K, sourceTokens: config.prompt.contextTokens },
  };

  const purge = () =>
    purgeExpired(conversations).catch((error: unknown) => {
      logger.warn({ err: error }, 'purge of expired conversations failed; retried at the next interval');
    });
  await purge();
  const timer = setInterval(() => void purge(), PURGE_INTERVAL_MS);
  timer.unref();

  return {
    chat,
    conversations,
    close: () => clearInterval(timer),
  };
}
