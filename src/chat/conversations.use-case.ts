import type { AnswerCache } from '../cache/answer-cache.js';
import type { CachedAnswer } from './chat.use-case.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Conversation, ConversationRepository, ConversationTurn } from '../memory/conversation.repository.js';

export interface ConversationDependencies {
  conversations: ConversationRepository;
  cache: AnswerCache<CachedAnswer>;
  logger: Logger;
}

export interface ConversationView extends Omit<Conversation, 'doctorId'> {
  turns: ConversationTurn[];
}

/** A doctor's own conversation with every turn; anyone else's is not found. */
export async function getConversation(deps: ConversationDependencies, id: string, doctorId: string): Promise<ConversationView> {
  const conversation = await deps.conversations.findOwned(id, doctorId);
  if (!conversation) throw new NotFoundError('Conversation not found.');
  const { doctorId: _owner, ...view } = conversation;
  return { ...view, turns: await deps.conversations.turnsFrom(id, 0) };
}

/** Erases a doctor's conversation: its summary, turns and the answers cached from it go in one statement (foreign keys). */
export async function deleteConversation(deps: ConversationDependencies, id: string, doctorId: string): Promise<void> {
  if (!(await deps.conversations.deleteOwned(id, doctorId))) throw new NotFoundError('Conversation not found.');
}

/**
 * Purges conversations idle past the retention (with their cached answers) and expired
 * cached answers. Run at start and periodically.
 */
export async function purgeExpired(deps: ConversationDependencies): Promise<{ conversations: number; answers: number }> {
  const expired = await deps.conversations.deleteExpired();
  const answers = await deps.cache.purgeExpired();
  if (expired.length > 0 || answers > 0) deps.logger.info({ conversations: expired.length, answers }, 'expired conversations and answers purged');
  return { conversations: expired.length, answers };
}
