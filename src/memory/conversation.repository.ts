import type pg from 'pg';
import { preparedStatement } from '../db/prepared-statement.js';
import { CommitBatcher } from '../lib/commit-batcher.js';
import { withTransaction } from '../db/database.js';

export interface Conversation {
  id: string;
  doctorId: string;
  patientId: string | null;
  summary: string;
  /** Turns with an index below this are folded into `summary`. */
  summarizedThrough: number;
  turnCount: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

export interface ConversationTurn {
  index: number;
  question: string;
  standaloneQuestion: string;
  answer: string;
  citations: unknown[];
  usage: Record<string, unknown>;
  createdAt: Date;
}

export type NewTurn = Omit<ConversationTurn, 'index' | 'createdAt'>;

export interface AppendTurnInput {
  conversationId: string;
  doctorId: string;
  patientId: string | null;
  /** True for the first turn: the conversation is created in the same transaction. */
  create: boolean;
  turn: NewTurn;
  /** A new rolling summary covering every turn below `through`. */
  summary?: { text: string; through: number };
}

// Ownership is part of every statement: another doctor's conversation is simply not found.
// Reads name their columns as the types do, so rows are returned as they come.
const SELECT_OWNED = preparedStatement('conversation_select_owned', `
  SELECT id, doctor_id AS "doctorId", patient_id AS "patientId", summary, summarized_through AS "summarizedThrough",
         turn_count AS "turnCount", created_at AS "createdAt", updated_at AS "updatedAt", expires_at AS "expiresAt"
  FROM llm_assistant.conversation_memory
  WHERE id = $1 AND doctor_id = $2 AND expires_at > now()`);

const SELECT_TURNS_FROM = preparedStatement('conversation_select_turns_from', `
  SELECT turn_index AS index, question, standalone_question AS "standaloneQuestion", answer, citations, usage,
         created_at AS "createdAt"
  FROM llm_assistant.conversation_turns
  WHERE conversation_id = $1 AND turn_index >= $2
  ORDER BY turn_index`);

const INSERT_CONVERSATION = preparedStatement('conversation_insert_conversation', `
  INSERT INTO llm_assistant.conversation_memory (id, doctor_id, patient_id, expires_at)
  VALUES ($1, $2, $3, now() + make_interval(days => $4))`);

// The row lock of this update serialises concurrent turns of one conversation, so turn
// indexes never collide; a summary only moves forward.
const BUMP_CONVERSATION = preparedStatement('conversation_bump_conversation', `
  UPDATE llm_assistant.conversation_memory
  SET turn_count = turn_count + 1,
      updated_at = now(),
      expires_at = now() + make_interval(days => $3),
      summary = CASE WHEN $5::int > summarized_through THEN $4 ELSE summary END,
      summarized_through = GREATEST(summarized_through, COALESCE($5::int, 0))
  WHERE id = $1 AND doctor_id = $2
  RETURNING turn_count`);

const INSERT_TURN = preparedStatement('conversation_insert_turn', `
  INSERT INTO llm_assistant.conversation_turns
    (conversation_id, turn_index, question, standalone_question, answer, citations, usage)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`);

// First turns of new conversations, many at a time (see appendTurn): one JSON array of
// rows, both tables in one statement, so one round trip per batch. JSON, not one text
// array per column: serialised natively, where arrays were escaped element by element.
const INSERT_FIRST_TURNS = preparedStatement('conversation_insert_first_turns', `
  WITH input AS (
    SELECT * FROM json_to_recordset($1::json)
      AS t(id uuid, doctor_id uuid, patient_id uuid, question text, standalone_question text, answer text, citations jsonb, usage jsonb)
  ), conversations AS (
    INSERT INTO llm_assistant.conversation_memory (id, doctor_id, patient_id, turn_count, expires_at)
    SELECT id, doctor_id, patient_id, 1, now() + make_interval(days => $2) FROM input
  )
  INSERT INTO llm_assistant.conversation_turns
    (conversation_id, turn_index, question, standalone_question, answer, citations, usage)
  SELECT id, 0, question, standalone_question, answer, citations, usage FROM input`);

// Turns and cached answers go with it (ON DELETE CASCADE).
const DELETE_OWNED = `DELETE FROM llm_assistant.conversation_memory WHERE id = $1 AND doctor_id = $2`;

const DELETE_EXPIRED = `DELETE FROM llm_assistant.conversation_memory WHERE expires_at <= now() RETURNING id`;

/**
 * Conversations and their turns in llm_assistant.conversation_memory / conversation_turns.
 * Every read and delete names the owning doctor; conversations idle longer than the
 * retention are treated as gone and purged.
 */
export class ConversationRepository {
  private readonly firstTurns: CommitBatcher<AppendTurnInput>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly retentionDays: number,
  ) {
    this.firstTurns = new CommitBatcher((inputs) => this.insertFirstTurns(inputs));
  }

  /** The conversation if it exists, has not expired and belongs to this doctor; null otherwise. */
  async findOwned(id: string, doctorId: string): Promise<Conversation | null> {
    const { rows } = await this.pool.query<Conversation>(SELECT_OWNED([id, doctorId]));
    return rows[0] ?? null;
  }

  /** Turns from `fromIndex` on, oldest first. */
  async turnsFrom(conversationId: string, fromIndex: number): Promise<ConversationTurn[]> {
    const { rows } = await this.pool.query<ConversationTurn>(SELECT_TURNS_FROM([conversationId, fromIndex]));
    return rows;
  }

  /**
   * Stores one complete turn, creating the conversation on its first turn, in one
   * transaction with the turn count (and summary) update; returns the turn's index.
   * The first turns of concurrent new conversations share one transaction (a commit per
   * batch instead of per request); each call still returns only once its rows are committed.
   */
  async appendTurn(input: AppendTurnInput): Promise<number> {
    if (input.create && !input.summary) {
      await this.firstTurns.add(input);
      return 0;
    }
    return withTransaction(this.pool, async (client) => {
      if (input.create) await client.query(INSERT_CONVERSATION([input.conversationId, input.doctorId, input.patientId, this.retentionDays]));
      const { rows } = await client.query<{ turn_count: number }>(BUMP_CONVERSATION([
        input.conversationId,
        input.doctorId,
        this.retentionDays,
        input.summary?.text ?? null,
        input.summary?.through ?? null,
      ]));
      const count = rows[0]?.turn_count;
      if (count === undefined) throw new Error(`conversation ${input.conversationId} vanished while a turn was stored`);
      const { turn } = input;
      await client.query(INSERT_TURN([
        input.conversationId,
        count - 1,
        turn.question,
        turn.standaloneQuestion,
        turn.answer,
        JSON.stringify(turn.citations),
        JSON.stringify(turn.usage),
      ]));
      return count - 1;
    });
  }

  private async insertFirstTurns(inputs: AppendTurnInput[]): Promise<void> {
    const rows = inputs.map(({ conversationId, doctorId, patientId, turn }) => ({
      id: conversationId,
      doctor_id: doctorId,
      patient_id: patientId,
      question: turn.question,
      standalone_question: turn.standaloneQuestion,
      answer: turn.answer,
      citations: turn.citations,
      usage: turn.usage,
    }));
    await this.pool.query(INSERT_FIRST_TURNS([JSON.stringify(rows), this.retentionDays]));
  }

  /** Deletes the doctor's conversation with its turns and cached answers; false when there was none. */
  async deleteOwned(id: string, doctorId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(DELETE_OWNED, [id, doctorId]);
    return (rowCount ?? 0) > 0;
  }

  /** Purges conversations idle past the retention; returns their ids. */
  async deleteExpired(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(DELETE_EXPIRED);
    return rows.map((row) => row.id);
  }
}
