import { ConflictError, NotFoundError } from '../errors.js';
import { NO_USAGE, type ChatModel, type ChatUsage } from '../llm/chat/chat-model.js';
import { countTokens } from '../llm/tokens.js';
import type { Logger } from '../logger.js';
import type { Conversation, ConversationRepository, ConversationTurn, NewTurn } from './conversation.repository.js';

/** What a request knows of its conversation before answering. */
export interface LoadedMemory {
  conversation: Conversation;
  /** Turns not yet folded into the summary, oldest first. */
  pending: ConversationTurn[];
  /** The newest pending turns that fit the window, oldest first: what the prompt gets. */
  recent: ConversationTurn[];
}

export interface RecordTurnInput {
  /** The loaded conversation, or null to start a new one with this turn. */
  memory: LoadedMemory | null;
  conversationId: string;
  doctorId: string;
  patientId: string | null;
  turn: NewTurn;
  signal?: AbortSignal;
}

/**
 * Conversation memory: the recent turns that fit `windowTokens` go to the prompt as they
 * are; when stored turns overflow the window, the overflowing ones are folded into a
 * rolling summary (at most a third of the window) by the chat model.
 */
export class ConversationMemory {
  private readonly summaryTokens: number;

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly model: ChatModel,
    private readonly windowTokens: number,
    private readonly logger: Logger,
  ) {
    this.summaryTokens = Math.max(50, Math.floor(windowTokens / 3));
  }

  /**
   * Loads a conversation for its owner. Another doctor's (or an expired) conversation is
   * not found; a conversation about one patient cannot be continued about another.
   */
  async load(conversationId: string, doctorId: string, patientId: string | undefined): Promise<LoadedMemory> {
    const conversation = await this.conversations.findOwned(conversationId, doctorId);
    if (!conversation) throw new NotFoundError('Conversation not found.');
    if (patientId !== undefined && patientId !== conversation.patientId) {
      throw new ConflictError(
        conversation.patientId
          ? 'This conversation is about another patient; start a new conversation for this one.'
          : 'This conversation is not about a patient; start a new conversation to ask about one.',
        { code: 'conversation_patient_mismatch' },
      );
    }
    const pending = await this.conversations.turnsFrom(conversation.id, conversation.summarizedThrough);
    return { conversation, pending, recent: splitWindow(pending, this.windowTokens).recent };
  }

  /**
   * Stores a complete turn (creating the conversation on its first), with the summary
   * moved forward when the window overflows. A summary that cannot be made now is
   * retried at the next turn: it never costs the doctor the answer.
   */
  async record(input: RecordTurnInput): Promise<{ turnIndex: number; usage: ChatUsage }> {
    const nextIndex = input.memory?.conversation.turnCount ?? 0;
    const all = [...(input.memory?.pending ?? []), { ...input.turn, index: nextIndex, createdAt: new Date() }];
    const { overflow } = splitWindow(all, this.windowTokens);
    let summary: { text: string; through: number } | undefined;
    let usage = NO_USAGE;
    if (overflow.length > 0) {
      try {
        const result = await this.model.summarise(
          { summary: input.memory?.conversation.summary ?? '', turns: overflow, maxTokens: this.summaryTokens },
          { signal: input.signal },
        );
        summary = { text: result.text, through: overflow.at(-1)!.index + 1 };
        usage = result.usage;
      } catch (error) {
        input.signal?.throwIfAborted();
        this.logger.warn({ err: error, conversationId: input.conversationId }, 'conversation summary not updated; retried next turn');
      }
    }
    const turnIndex = await this.conversations.appendTurn({
      conversationId: input.conversationId,
      doctorId: input.doctorId,
      patientId: input.patientId,
      create: input.memory === null,
      turn: input.turn,
      ...(summary ? { summary } : {}),
    });
    return { turnIndex, usage };
  }
}

/** Splits turns (oldest first) into the newest that fit `windowTokens` and the older overflow. */
export function splitWindow<T extends { question: string; answer: string }>(
  turns: T[],
  windowTokens: number,
): { recent: T[]; overflow: T[] } {
  // Tokens never outnumber UTF-8 bytes: turns that fit by their bytes fit, uncounted (the tokenizer is most of a cache hit's CPU).
  const bytes = turns.reduce((sum, turn) => sum + Buffer.byteLength(turn.question) + Buffer.byteLength(turn.answer), 0);
  if (bytes <= windowTokens) return { recent: turns, overflow: [] };
  let used = 0;
  let start = turns.length;
  while (start > 0) {
    const turn = turns[start - 1]!;
    const tokens = countTokens(turn.question) + countTokens(turn.answer);
    if (used + tokens > windowTokens) break;
    used += tokens;
    start -= 1;
  }
  return { recent: turns.slice(start), overflow: turns.slice(0, start) };
}
