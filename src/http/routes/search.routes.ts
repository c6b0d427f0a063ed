import { z } from 'zod';
import type { Retriever, SearchHit } from '../../retrieval/search.types.js';
import { OptionalDoctorHeadersSchema, resolveOptionalDoctor } from '../doctor-context.js';
import { readerOf } from '../audit-context.js';
import type { ApiRouter } from '../route.js';

export const SearchFiltersSchema = z.strictObject({
  modules: z.array(z.string().min(1).max(100)).max(20).optional(),
  sourceKinds: z.array(z.enum(['doc', 'record'])).max(2).optional(),
  patientId: z
    .uuid()
    .optional()
    .describe("Only this patient's record chunks; records are visible only to the patient's doctors, so it needs one of them as the asking doctor."),
});

export const SearchBodySchema = z
  .strictObject({
    query: z.string().trim().min(1).max(2_000),
    k: z.number().int().min(1).max(50).default(10),
    filters: SearchFiltersSchema.optional(),
  })
  .meta({ id: 'SearchRequest' });

/** What a hit is: the chunk and where it comes from, as both the search and its explanation show it. */
export const HitChunkSchema = z.object({
  chunkId: z.string(),
  sourceKind: z.enum(['doc', 'record']),
  doc: z.string().describe('Source path under its collection, without extension.'),
  collection: z.string(),
  module: z.string().nullable(),
  title: z.string(),
  headingPath: z.array(z.string()),
  content: z.string(),
});

/** A hit's fields of HitChunkSchema. */
export function hitChunk(hit: SearchHit): z.infer<typeof HitChunkSchema> {
  return {
    chunkId: hit.chunkId,
    sourceKind: hit.sourceKind,
    doc: hit.sourceId,
    collection: hit.collection,
    module: hit.module,
    title: hit.title,
    headingPath: hit.headingPath,
    content: hit.content,
  };
}

const SearchHitSchema = HitChunkSchema.extend({
  url: z.string().nullable(),
  patientId: z.string().nullable(),
  score: z.number().describe('Fused rank score (higher is better).'),
  similarity: z.number().describe('Cosine similarity to the question.'),
  reason: z.enum(['vector', 'lexical', 'both']).describe('Which ranking found it.'),
}).meta({ id: 'SearchHit' });

const SearchResponseSchema = z.object({ results: z.array(SearchHitSchema) }).meta({ id: 'SearchResponse' });

const DetectBodySchema = z
  .strictObject({ question: z.string().trim().min(1).max(2_000), limit: z.number().int().min(1).max(10).default(3) })
  .meta({ id: 'DetectModulesRequest' });

const DetectResponseSchema = z
  .object({ modules: z.array(z.object({ name: z.string(), title: z.string(), similarity: z.number() })) })
  .meta({ id: 'DetectModulesResponse' });

export function registerSearchRoutes(api: ApiRouter, retriever: Retriever): void {
  api.add(
    {
      method: 'post',
      path: '/v1/search',
      operationId: 'search',
      summary: "Hybrid search over documentation and the asking doctor's patients' records.",
      tags: ['search'],
      access: 'search',
      body: SearchBodySchema,
      headers: OptionalDoctorHeadersSchema,
      responses: { 200: { description: 'Ranked chunks, best first.', schema: SearchResponseSchema } },
    },
    async ({ body, req }) => {
      const doctor = await resolveOptionalDoctor(req);
      const hits = await retriever.search({
        question: await retriever.embed(body.query),
        k: body.k,
        scope: { doctorId: doctor?.doctorId ?? null },
        filters: body.filters,
        readBy: readerOf(req, 'search'),
      });
      return {
        body: {
          results: hits.map((hit) => ({
            ...hitChunk(hit),
            url: hit.url,
            patientId: hit.patientId,
            score: hit.score,
            similarity: hit.similarity,
            reason: hit.matchReason,
          })),
        },
      };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/v1/modules/detect',
      operationId: 'detectModules',
      summary: 'Which app modules a question is about (none when it is about none).',
      tags: ['search'],
      access: 'search',
      body: DetectBodySchema,
      responses: { 200: { description: 'Modules, best first.', schema: DetectResponseSchema } },
    },
    async ({ body }) => ({ body: { modules: await retriever.detectModules(await retriever.embed(body.question), { limit: body.limit }) } }),
  );
}
