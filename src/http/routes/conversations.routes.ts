import { z } from 'zod';
import { deleteConversation, getConversation, type ConversationDependencies } from '../../chat/conversations.use-case.js';
import { DoctorHeadersSchema, resolveDoctor } from '../doctor-context.js';
import type { ApiRouter } from '../route.js';
import { CitationSchema } from './chat.routes.js';

const ParamsSchema = z.object({ id: z.uuid() });

const ConversationSchema = z
  .object({
    id: z.uuid(),
    patientId: z.uuid().nullable(),
    summary: z.string().describe('Rolling summary of the turns that left the memory window.'),
    summarizedThrough: z.number().int().describe('Turns with a lower index are folded into the summary.'),
    turnCount: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().describe('Purged after this unless continued.'),
    turns: z.array(
      z.object({
        index: z.number().int(),
        question: z.string(),
        standaloneQuestion: z.string(),
        answer: z.string(),
        citations: z.array(CitationSchema),
        usage: z.record(z.string(), z.unknown()),
        createdAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: 'Conversation' });

const NOT_YOURS = { description: 'The conversation does not exist, has expired or is not yours.' };

/** GET and DELETE /v1/conversations/:id, for the owning doctor only. */
export function registerConversationRoutes(api: ApiRouter, deps: ConversationDependencies): void {
  api.add(
    {
      method: 'get',
      path: '/v1/conversations/:id',
      operationId: 'getConversation',
      summary: 'A conversation with its turns and summary.',
      tags: ['chat'],
      access: 'chat',
      params: ParamsSchema,
      headers: DoctorHeadersSchema,
      responses: { 200: { description: 'The conversation.', schema: ConversationSchema }, 404: NOT_YOURS },
    },
    async ({ params, req }) => {
      const { doctorId } = await resolveDoctor(req);
      return { body: await getConversation(deps, params.id, doctorId) };
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/v1/conversations/:id',
      operationId: 'deleteConversation',
      summary: 'Erases a conversation, its summary and every answer cached from it.',
      tags: ['chat'],
      access: 'chat',
      params: ParamsSchema,
      headers: DoctorHeadersSchema,
      responses: { 204: { description: 'Erased.' }, 404: NOT_YOURS },
    },
    async ({ params, req }) => {
      const { doctorId } = await resolveDoctor(req);
      await deleteConversation(deps, params.id, doctorId);
      return { status: 204 };
    },
  );
}
