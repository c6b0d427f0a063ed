/**
 * Asks the assistant one question, then streams a follow-up, as a main app would.
 *   ASSISTANT_URL=http://localhost:3000 API_KEY=$(cat .data/dev-api-key) npx tsx clients/typescript/examples/ask.ts
 */
import { createAssistantClient, streamChat } from '../src/index.js';

const client = createAssistantClient({
  baseUrl: process.env.ASSISTANT_URL ?? 'http://localhost:3000',
  apiKey: process.env.API_KEY ?? '',
  doctor: { id: '6f1c1a52-3a8e-4c1e-9a53-2f6f0b8f2d11' },
});

const { data, error } = await client.POST('/v1/chat', { body: { message: 'How do I reschedule an appointment to another day?' } });
if (error) throw new Error(`${error.code}: ${error.detail}`);
console.log(data.answer, data.citations.map((citation) => citation.url));

for await (const { event, data: payload } of streamChat(client, { message: 'And how is the patient told?', conversationId: data.conversationId })) {
  if (event === 'token') process.stdout.write(payload.text);
  else if (event === 'done') console.log('\n', payload.citations.length, 'citations');
  else console.error(payload.detail);
}
