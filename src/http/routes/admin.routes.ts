import { z } from 'zod';
import type { IngestService } from '../../ingest/ingest.service.js';
import { parseRecordsBatch, RecordsBatchSchema } from '../../ingest/records/record.schemas.js';
import type { ApiRouter } from '../route.js';

/** What a run did to documents or chunks: a records push, a records sync run. */
export const ChangeCountsSchema = z
  .object({ added: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), deleted: z.number().int() })
  .meta({ id: 'ChangeCounts' });

const ReindexBodySchema = z
  .strictObject({
    path: z.string().min(1).max(1_000).describe('Folder to index, under INGEST_ALLOWED_ROOTS.'),
    module: z.string().min(1).max(100).regex(/^[\w-]+$/).optional().describe('Put every document in this module.'),
    collection: z.string().min(1).max(200).optional().describe('Index name of the folder; default: its last two path segments.'),
  })
  .meta({ id: 'ReindexRequest' });

export const JobSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['docs', 'records']),
    sourceKey: z.string(),
    state: z.enum(['running', 'succeeded', 'failed']),
    progress: z.record(z.string(), z.unknown()),
    summary: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    createdAt: z.string(),
    heartbeatAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Job' });

const JobAcceptedSchema = JobSchema.extend({
  statusUrl: z.string().describe('Where the job can be read (`GET /v1/admin/jobs/{id}`), as in `Location`.'),
  job: JobSchema.meta({ deprecated: true, description: 'The same job again, as this route answered before it answered the job itself.' }),
}).meta({ id: 'JobAccepted' });

const RecordsSummarySchema = z
  .object({
    patients: z.number(),
    documents: ChangeCountsSchema,
    chunks: ChangeCountsSchema,
    embeddingCalls: z.number(),
    tokensEmbedded: z.number(),
    ms: z.number(),
  })
  .meta({ id: 'RecordsSummary' });

export function registerAdminRoutes(api: ApiRouter, ingest: IngestService): void {
  api.add(
    {
      method: 'post',
      path: '/v1/admin/reindex',
      operationId: 'startReindex',
      summary: 'Re-index a documentation folder incrementally (a job; 202 at once).',
      tags: ['admin'],
      access: 'admin',
      body: ReindexBodySchema,
      responses: {
        202: {
          description: 'Job started: the job as `GET /v1/admin/jobs/{id}` returns it, with `statusUrl`.',
          schema: JobAcceptedSchema,
          headers: { Location: 'The URL of the job.' },
        },
        409: { description: 'A job for this folder is already running.' },
      },
    },
    async ({ body, req }) => {
      const job = await ingest.startReindex(body, req.auth?.clientName ?? null);
      const statusUrl = `/v1/admin/jobs/${job.id}`;
      return { status: 202, headers: { Location: statusUrl }, body: { ...job, statusUrl, job } };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/admin/jobs/:id',
      operationId: 'getJob',
      summary: 'State, progress, counts and error of an ingest job.',
      tags: ['admin'],
      access: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'The job.', schema: JobSchema }, 404: { description: 'No such job.' } },
    },
    async ({ params }) => ({ body: await ingest.getJob(params.id) }),
  );

  api.add(
    {
      method: 'post',
      path: '/v1/admin/records',
      operationId: 'pushRecords',
      summary: "Push patients' records; each patient's documents replace their previous version.",
      tags: ['admin'],
      access: 'admin',
      body: RecordsBatchSchema.meta({ id: 'RecordsBatch' }),
      parseBody: parseRecordsBatch,
      description:
        'Within a batch a patient appears once, and the appointment ids of a patient are distinct. Every field of the batch is ' +
        'checked before anything is written: a 400 `invalid_records` names each bad one (`patients.0.allergies.1.severity`).',
      responses: { 200: { description: 'What was indexed.', schema: RecordsSummarySchema } },
    },
    async ({ body: batch }) => {
      const summary = await ingest.pushRecords(batch.patients);
      return {
        body: {
          patients: batch.patients.length,
          documents: summary.documents,
          chunks: summary.chunks,
          embeddingCalls: summary.embeddingCalls,
          tokensEmbedded: summary.tokensEmbedded,
          ms: summary.ms,
        },
      };
    },
  );
}
