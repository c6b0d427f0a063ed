import type { Request, Response } from 'express';
import { z } from 'zod';
import { answerQuestion, type ChatAnswer, type ChatDependencies, type ChatRequest } from '../../chat/chat.use-case.js';
import { DoctorHeadersSchema, resolveDoctor } from '../doctor-context.js';
import { buildProblem } from '../error-handler.js';
import { readerOf } from '../audit-context.js';
import { writeEvent } from '../sse.js';
import type { ApiRouter } from '../route.js';

const ChatBodySchema = z
  .strictObject({
    message: z.string().min(1).max(4_000).refine((value) => value.trim().length > 0, 'must not be blank'),
    conversationId: z.uuid().optional().describe('Continue this conversation (yours only).'),
    patientId: z.uuid().optional().describe("Ground the answer in this patient's records (and the documentation)."),
    modules: z.array(z.string().min(1).max(100)).max(10).optional().describe('Only search these app modules.'),
  })
  .meta({ id: 'ChatRequest' });

export const CitationSchema = z
  .object({
    n: z.number().int().describe('The number the answer cites this source with: [n].'),
    chunkId: z.string(),
    doc: z.string().describe('The source document id (or record part).'),
    title: z.string(),
    heading: z.string(),
    url: z.string().optional(),
    snippet: z.string(),
  })
  .meta({ id: 'Citation' });

export const ChatResponseSchema = z
  .object({
    answer: z.string(),
    citations: z.array(CitationSchema).describe('Only the sources the answer cites.'),
    conversationId: z.uuid(),
    modules: z.array(z.string()).describe('App modules the question is about, best first.'),
    cached: z.union([z.literal(false), z.enum(['exact', 'semantic'])]),
    usage: z.object({
      promptTokens: z.number().int(),
      completionTokens: z.number().int(),
      totalTokens: z.number().int(),
      model: z.string(),
      offline: z.boolean().describe('True when no language model was used (extractive answer).'),
    }),
    removedCitations: z.array(z.number().int()).optional().describe('Citations to sources that were not provided, removed from the answer.'),
  })
  .meta({ id: 'ChatResponse' });

/** POST /v1/chat: JSON, or server-sent events with `Accept: text/event-stream`. */
export function registerChatRoutes(api: ApiRouter, deps: ChatDependencies): void {
  api.add(
    {
      method: 'post',
      path: '/v1/chat',
      operationId: 'chat',
      summary: "Grounded answer with citations from the documentation and the doctor's patients' records.",
      description:
        'With `Accept: text/event-stream` the answer is streamed as server-sent events. A `conversationId` continues a conversation of ' +
        'the same doctor (404 otherwise); a `patientId` must be the one the conversation is about (409 otherwise).',
      tags: ['chat'],
      access: 'chat',
      body: ChatBodySchema,
      headers: DoctorHeadersSchema,
      responses: {
        200: {
          description: 'The answer.',
          schema: ChatResponseSchema,
          eventStream:
            '`event: token` with `{"text": string}` for each piece of the answer as it is written; then one `event: done` with the ' +
            'ChatResponse without `answer`; or, once tokens were sent, one `event: error` with a Problem, and nothing is stored.',
        },
        404: { description: 'The conversation does not exist or is not yours.' },
        409: { description: 'The conversation is about another patient.' },
      },
    },
    async ({ body, req, res }) => {
      const { doctorId } = await resolveDoctor(req);
      const request: ChatRequest = { doctorId, readBy: readerOf(req, 'chat'), ...body };
      const signal = abortOnDisconnect(res);
      if (req.accepts(['application/json', 'text/event-stream']) === 'text/event-stream') {
        await streamAnswer((onToken) => answerQuestion(deps, request, { signal, onToken }), req, res, signal);
        return;
      }
      try {
        return { body: await answerQuestion(deps, request, { signal }) };
      } catch (error) {
        if (signal.aborted) return logDisconnect(req);
        throw error;
      }
    },
  );
}

/**
 * Streams the answer `answer` produces, token by token. Until the first event is written, a failure is an ordinary
 * problem+json response with its status; after that, an `error` event ends the stream.
 */
export async function streamAnswer(
  answer: (onToken: (text: string) => void) => Promise<ChatAnswer>,
  req: Request,
  res: Response,
  signal: AbortSignal,
): Promise<void> {
  const send = (event: 'token' | 'done' | 'error', data: unknown): void => writeEvent(res, event, data);
  try {
    const { answer: _streamed, ...final } = await answer((text) => send('token', { text }));
    send('done', final);
  } catch (error) {
    if (signal.aborted) return logDisconnect(req);
    if (!res.headersSent) throw error;
    const { retryAfterSeconds: _retry, ...problem } = buildProblem(error, req.id, req.originalUrl.split('?')[0]);
    req.log[problem.status >= 500 ? 'error' : 'info']({ err: error, code: problem.code }, 'chat stream failed');
    send('error', problem);
  }
  res.end();
}

/** A signal that aborts when the client goes away before the response is complete. */
export function abortOnDisconnect(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

export function logDisconnect(req: Request): void {
  req.log.info('client disconnected; generation stopped and nothing stored');
}
