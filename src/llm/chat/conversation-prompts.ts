import { truncateToTokens } from '../tokens.js';
import type { ChatMessage, CondenseInput, SummariseInput, TurnText } from './chat-model.js';

/** Past answers are shortened in these prompts: the question, not the prose, carries the topic. */
const ANSWER_TOKENS_IN_CONTEXT = 120;

const CONDENSE_INSTRUCTIONS = [
  'You rewrite the last message of a conversation between a doctor and a clinical documentation assistant',
  'into one standalone question that can be searched without the conversation.',
  'Resolve pronouns and ellipsis ("it", "that drug", "and for children?") from the conversation.',
  'Keep drug names, doses, units, numbers and negations (not, stop, avoid...) exactly as written.',
  'Do not answer the question and do not add facts. If the message already stands alone, return it unchanged.',
  'Reply with the question only.',
].join(' ');

const SUMMARISE_INSTRUCTIONS = [
  'You maintain the running summary of a conversation between a doctor and a clinical documentation assistant.',
  'Update the summary with the new exchanges. Keep what later questions may refer to: the topics, the patient',
  'facts and the drug names and doses exactly as stated. Do not add anything that was not said.',
  'Reply with the summary only, as short plain sentences.',
].join(' ');

/** Messages asking a language model to turn a follow-up into a standalone question. */
export function condenseMessages(input: CondenseInput): ChatMessage[] {
  const history = [
    ...(input.summary ? [`Summary of earlier conversation: ${input.summary}`] : []),
    ...input.turns.map(formatTurn),
  ].join('\n');
  return [
    { role: 'system', content: CONDENSE_INSTRUCTIONS },
    { role: 'user', content: `Conversation:\n${history}\n\nLast message: ${input.question}\n\nStandalone question:` },
  ];
}

/** Messages asking a language model to fold turns into the rolling summary. */
export function summariseMessages(input: SummariseInput): ChatMessage[] {
  return [
    { role: 'system', content: `${SUMMARISE_INSTRUCTIONS} Stay under ${input.maxTokens} tokens.` },
    {
      role: 'user',
      content: `Summary so far: ${input.summary || '(none)'}\n\nNew exchanges:\n${input.turns.map(formatTurn).join('\n')}\n\nUpdated summary:`,
    },
  ];
}

function formatTurn(turn: TurnText): string {
  return `Doctor: ${turn.question}\nAssistant: ${truncateToTokens(turn.answer, ANSWER_TOKENS_IN_CONTEXT)}`;
}
