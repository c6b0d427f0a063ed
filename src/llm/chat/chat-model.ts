/**
 * What the chat use case needs from a language model, whichever provider is behind it:
 * OpenAI (ChatOpenAI) when an API key is configured, the extractive answerer otherwise.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** One retrieved passage as the prompt numbers it: the answer cites it as `[n]`. */
export interface NumberedSource {
  n: number;
  title: string;
  heading: string;
  content: string;
  /** The document the passage comes from (several passages may share one). */
  doc?: string;
  /** Title first, then the headings above the passage. */
  headingPath?: readonly string[];
}

/**
 * A grounded question. `messages` is what a language model reads; `question` and
 * `sources` are the same content in structured form, for a provider that does not read
 * prose (the extractive answerer).
 */
export interface AnswerRequest {
  messages: ChatMessage[];
  question: string;
  sources: NumberedSource[];
}

export interface ChatResult {
  text: string;
  usage: ChatUsage;
}

/** A stream yields text deltas, then exactly one usage part at the end. */
export type ChatStreamPart = { type: 'token'; text: string } | { type: 'usage'; usage: ChatUsage };

export interface ChatCallOptions {
  /** Aborting stops the generation (and the HTTP request to the provider). */
  signal?: AbortSignal;
}

/** A past exchange of the conversation, as condensing and summarising read it. */
export interface TurnText {
  question: string;
  /** The question as it was rewritten to stand alone. */
  standaloneQuestion: string;
  answer: string;
}

export interface CondenseInput {
  /** The doctor's new message, possibly a follow-up ("and for children?"). */
  question: string;
  /** Recent turns, oldest first. */
  turns: TurnText[];
  /** Rolling summary of older turns ('' when none). */
  summary: string;
}

export interface SummariseInput {
  /** The summary so far ('' when none). */
  summary: string;
  /** Turns leaving the window, oldest first, to fold into the summary. */
  turns: TurnText[];
  maxTokens: number;
}

export interface ChatModel {
  /** Model name, reported in usage and part of every answer-cache key. */
  readonly model: string;
  /** True when no language model is involved (the answer says so). */
  readonly offline: boolean;
  generate(request: AnswerRequest, options?: ChatCallOptions): Promise<ChatResult>;
  stream(request: AnswerRequest, options?: ChatCallOptions): AsyncIterable<ChatStreamPart>;
  /** Rewrites a follow-up into a question that can be searched on its own. */
  condense(input: CondenseInput, options?: ChatCallOptions): Promise<ChatResult>;
  /** Folds turns that leave the memory window into the rolling summary. */
  summarise(input: SummariseInput, options?: ChatCallOptions): Promise<ChatResult>;
  /** The kind of failure an error of this model is (rate_limited, timeout...), for metrics; 'unknown' when absent. */
  failureKind?(error: unknown): string;
}

export const NO_USAGE: ChatUsage = Object.freeze({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

/** Adds usages of several calls made for one request. */
export function addUsage(...usages: ChatUsage[]): ChatUsage {
  return usages.reduce(
    (sum, usage) => ({
      promptTokens: sum.promptTokens + usage.promptTokens,
      completionTokens: sum.completionTokens + usage.completionTokens,
      totalTokens: sum.totalTokens + usage.totalTokens,
    }),
    NO_USAGE,
  );
}
