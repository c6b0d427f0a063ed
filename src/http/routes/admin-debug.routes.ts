import { z } from 'zod';
import { consoleOwnerId, tryChat } from '../../chat/console-chat.js';
import type { ChatDependencies } from '../../chat/chat.use-case.js';
import type { Metrics } from '../../metrics.js';
import { summarizeMetrics } from '../../metrics-summary.js';
import type { SearchExplainer } from '../../retrieval/search.types.js';
import { readerOf } from '../audit-context.js';
import type { ApiRouter } from '../route.js';
import { abortOnDisconnect, ChatResponseSchema, streamAnswer } from './chat.routes.js';
import { hitChunk, HitChunkSchema, SearchBodySchema, SearchFiltersSchema } from './search.routes.js';

// The search body without the patient filter: an explanation has no doctor, so no record.
const ExplainBodySchema = SearchBodySchema.extend({ filters: SearchFiltersSchema.omit({ patientId: true }).optional() }).meta({
  id: 'SearchExplainRequest',
});

const ExplainedHitSchema = HitChunkSchema.extend({
  tokenCount: z.number().int(),
  ranking: z.object({
    score: z.number().describe("Fused score: the weighted sum of the BM25 and cosine scores, each scaled to [0, 1] over its list's candidates."),
    reason: z.enum(['vector', 'lexical', 'both']).describe('Which ranking found it.'),
    vectorRank: z.number().int().nullable(),
    similarity: z.number().describe('Cosine similarity to the query.'),
    lexicalRank: z.number().int().nullable(),
    lexicalScore: z.number().nullable().describe('BM25.'),
    lexicalCoverage: z.number().nullable().describe("Share of the query's term weight (IDF) the chunk holds."),
  }),
});

const ExplainResponseSchema = z
  .object({
    results: z.array(ExplainedHitSchema).describe('The fused ranking, before the evidence floor is applied.'),
    evidence: z.object({
      refused: z.boolean().describe('Whether search (and so the chat) returns nothing for this query.'),
      reason: z.enum(['no_hits', 'record_found_by_words', 'names_a_title', 'below_floor', 'at_or_above_floor', 'not_measured']),
      evidence: z.number().nullable().describe("Mean similarity of the question's 10 nearest chunks."),
      bestLexicalScore: z.number().nullable().describe("The best BM25 score among the question's word candidates."),
      floor: z.number().describe('What the evidence had to reach: the floor measured on the corpus, lowered when the words match better than unrelated questions do.'),
      floorSource: z.enum(['configured', 'corpus']),
    }),
    ms: z.number(),
  })
  .meta({ id: 'SearchExplanation' });

const ConsoleChatBodySchema = z
  .strictObject({
    message: z.string().min(1).max(4_000).refine((value) => value.trim().length > 0, 'must not be blank'),
    conversationId: z.uuid().optional().describe("Continue one of this client's console conversations."),
    modules: z.array(z.string().min(1).max(100)).max(10).optional(),
  })
  .meta({ id: 'ConsoleChatRequest' });

const ConsoleChatResponseSchema = ChatResponseSchema.extend({
  standaloneQuestion: z.string().describe('The question as searched, after condensing a follow-up.'),
  timings: z.object({
    beforeSearchMs: z.number().nullable(),
    searchMs: z.number().nullable(),
    firstTokenMs: z.number().nullable(),
    totalMs: z.number(),
  }),
})
  .meta({ id: 'ConsoleChatResponse' });

const PercentilesSchema = { p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() };

const MetricsSummarySchema = z
  .object({
    sinceSeconds: z.number().int(),
    routes: z.array(
      z.object({ method: z.string(), route: z.string(), requests: z.number(), serverErrors: z.number(), ...PercentilesSchema }),
    ),
    cacheLookups: z.record(z.string(), z.number()),
    refusals: z.record(z.string(), z.number()),
    retrieval: z.object({ searches: z.number(), ...PercentilesSchema }),
  })
  .meta({ id: 'MetricsSummary' });

export interface DebugRouteDeps {
  explainer: SearchExplainer;
  chat: ChatDependencies;
  metrics: Metrics;
}

/** Why search ranked what it did, the chat as a doctor would get it (documentation only), and the service's own metrics. */
export function registerAdminDebugRoutes(api: ApiRouter, deps: DebugRouteDeps): void {
  api.add(
    {
      method: 'post',
      path: '/v1/admin/search/explain',
      operationId: 'explainSearch',
      summary: 'A documentation search with everything that ranked it and the refusal decision (no doctor: no record chunk can appear).',
      tags: ['admin'],
      access: 'admin',
      body: ExplainBodySchema,
      responses: { 200: { description: 'The ranking and the verdict.', schema: ExplainResponseSchema } },
    },
    async ({ body }) => {
      const started = performance.now();
      const { hits, evidence } = await deps.explainer.explain({
        question: await deps.explainer.embed(body.query),
        k: body.k,
        scope: { doctorId: null },
        filters: body.filters,
      });
      return {
        body: {
          results: hits.map((hit) => ({
            ...hitChunk(hit),
            tokenCount: hit.tokenCount,
            ranking: {
              score: hit.score,
              reason: hit.matchReason,
              vectorRank: hit.vectorRank,
              similarity: hit.similarity,
              lexicalRank: hit.lexicalRank,
              lexicalScore: hit.lexicalScore,
              lexicalCoverage: hit.lexicalCoverage,
            },
          })),
          evidence: {
            refused: evidence.weak,
            reason: evidence.reason,
            evidence: evidence.evidence,
            bestLexicalScore: evidence.bestLexicalScore,
            floor: evidence.floor,
            floorSource: evidence.floorSource,
          },
          ms: Math.round(performance.now() - started),
        },
      };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/v1/admin/chat',
      operationId: 'tryConsoleChat',
      summary:
        'Try the chat on the documentation, as the calling admin client (its own conversations and cache entries), streamed ' +
        'like POST /v1/chat with `Accept: text/event-stream`: `token` events, then `done` (the response below without `answer`, ' +
        'with the standalone question and timings) or `error`.',
      tags: ['admin'],
      access: 'admin',
      body: ConsoleChatBodySchema,
      responses: {
        200: {
          description: 'The answer as server-sent events; `done` carries this object (without `answer`).',
          schema: ConsoleChatResponseSchema,
          contentType: 'text/event-stream',
        },
        404: { description: "The conversation does not exist or is not this client's." },
      },
    },
    async ({ body, req, res }) => {
      const signal = abortOnDisconnect(res);
      const owner = consoleOwnerId(req.auth!.clientId);
      await streamAnswer((onToken) => tryChat(deps.chat, owner, readerOf(req, 'console.chat'), body, { signal, onToken }), req, res, signal);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/admin/metrics/summary',
      operationId: 'getMetricsSummary',
      summary: "This instance's requests and latency percentiles per route, cache lookups by result and refusals, from its own metrics.",
      tags: ['admin'],
      access: 'admin',
      responses: { 200: { description: 'The summary.', schema: MetricsSummarySchema } },
    },
    async () => ({ body: await summarizeMetrics(deps.metrics) }),
  );
}
