import { z } from 'zod';
import type { Queryable } from '../../db/database.js';
import { NotFoundError } from '../../errors.js';
import type { IndexCatalog } from '../../ingest/index-catalog.repository.js';
import { readIndexState } from '../../ingest/index-state.js';
import type { IngestService } from '../../ingest/ingest.service.js';
import type { ReadinessReport } from '../../readiness.js';
import type { ApiRouter } from '../route.js';
import { JobSchema } from './admin.routes.js';
import { ReadinessSchema } from './health.routes.js';

const IndexOverviewSchema = z
  .object({
    embedding: z.object({
      model: z.string(),
      dimensions: z.number().int(),
      generation: z.number().int().describe('Moves on when the whole index is rebuilt.'),
    }),
    documentation: z.array(
      z.object({
        collection: z.string(),
        module: z.string().nullable(),
        documents: z.number().int(),
        chunks: z.number().int(),
        tokens: z.number().int(),
        lastIndexedAt: z.string().nullable(),
      }),
    ),
    modules: z.array(z.object({ name: z.string(), title: z.string(), documentCount: z.number().int() })),
    records: z
      .object({ patients: z.number().int(), sources: z.number().int(), chunks: z.number().int() })
      .describe('Counts only: nothing about the patients.'),
    lastIngest: JobSchema.nullable().describe('The most recent ingest job.'),
    allowedRoots: z.array(z.string()).describe('Folders a re-index may read (INGEST_ALLOWED_ROOTS).'),
    readiness: ReadinessSchema,
  })
  .meta({ id: 'IndexOverview' });

const DocumentsQuerySchema = z.strictObject({
  q: z.string().trim().max(200).optional().describe('Text in the title, path or content (case-insensitive).'),
  module: z.string().min(1).max(100).optional(),
  collection: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const DocumentSchema = z.object({
  collection: z.string(),
  sourceId: z.string().describe('Path under the collection, without extension.'),
  uri: z.string(),
  module: z.string().nullable(),
  title: z.string(),
  url: z.string().nullable(),
  chunkCount: z.number().int(),
  indexedAt: z.string(),
});

const DocumentsSchema = z.object({ total: z.number().int(), documents: z.array(DocumentSchema) }).meta({ id: 'DocumentList' });

const ChunkSchema = z
  .object({
    id: z.string(),
    collection: z.string(),
    sourceId: z.string(),
    module: z.string().nullable(),
    title: z.string(),
    headingPath: z.array(z.string()),
    url: z.string().nullable(),
    chunkIndex: z.number().int(),
    tokenCount: z.number().int(),
    content: z.string(),
  })
  .meta({ id: 'Chunk' });

const ChunksQuerySchema = z.strictObject({
  collection: z.string().min(1).max(200),
  sourceId: z.string().min(1).max(1_000),
  q: z.string().trim().max(200).optional().describe('Only chunks holding this text.'),
});

export interface IndexRouteDeps {
  db: Queryable;
  catalog: IndexCatalog;
  ingest: IngestService;
  readiness: () => Promise<ReadinessReport>;
}

/** What is indexed: an overview, documentation documents and their chunks (records as counts only). */
export function registerAdminIndexRoutes(api: ApiRouter, deps: IndexRouteDeps): void {
  api.add(
    {
      method: 'get',
      path: '/v1/admin/index',
      operationId: 'getIndexOverview',
      summary: 'The index at a glance: embedding model, documentation per collection and module, record counts, last ingest, readiness.',
      tags: ['admin'],
      access: 'admin',
      responses: { 200: { description: 'The overview.', schema: IndexOverviewSchema } },
    },
    async () => {
      const [state, documentation, modules, records, [lastIngest], readiness] = await Promise.all([
        readIndexState(deps.db),
        deps.catalog.documentation(),
        deps.catalog.modules(),
        deps.catalog.records(),
        deps.ingest.recentJobs(1),
        deps.readiness(),
      ]);
      return {
        body: {
          embedding: { model: state.embeddingModel, dimensions: state.embeddingDimensions, generation: state.generation },
          documentation,
          modules,
          records,
          lastIngest: lastIngest ?? null,
          allowedRoots: [...deps.ingest.roots],
          readiness,
        },
      };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/admin/documents',
      operationId: 'listDocuments',
      summary: 'Indexed documentation documents, with a text filter, a page at a time.',
      tags: ['admin'],
      access: 'admin',
      query: DocumentsQuerySchema,
      responses: { 200: { description: 'A page of documents and how many match.', schema: DocumentsSchema } },
    },
    async ({ query }) => ({
      body: await deps.catalog.documents({
        ...(query.q ? { text: query.q } : {}),
        ...(query.module ? { module: query.module } : {}),
        ...(query.collection ? { collection: query.collection } : {}),
        limit: query.limit,
        offset: query.offset,
      }),
    }),
  );

  api.add(
    {
      method: 'get',
      path: '/v1/admin/chunks',
      operationId: 'listChunks',
      summary: "A documentation document's chunks in order (heading path, tokens, content).",
      tags: ['admin'],
      access: 'admin',
      query: ChunksQuerySchema,
      responses: { 200: { description: 'The chunks.', schema: z.object({ chunks: z.array(ChunkSchema) }).meta({ id: 'ChunkList' }) } },
    },
    async ({ query }) => ({ body: { chunks: await deps.catalog.documentChunks(query.collection, query.sourceId, query.q || undefined) } }),
  );

  api.add(
    {
      method: 'get',
      path: '/v1/admin/chunks/:id',
      operationId: 'getChunk',
      summary: 'One documentation chunk (a record chunk is never shown here: 404).',
      tags: ['admin'],
      access: 'admin',
      params: z.object({ id: z.string().min(1).max(200) }),
      responses: { 200: { description: 'The chunk.', schema: ChunkSchema }, 404: { description: 'No such documentation chunk.' } },
    },
    async ({ params }) => {
      const chunk = await deps.catalog.chunk(params.id);
      if (!chunk) throw new NotFoundError(`No documentation chunk ${params.id}.`);
      return { body: chunk };
    },
  );
}
