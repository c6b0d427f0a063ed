import { z } from 'zod';
import type { IngestService } from '../../ingest/ingest.service.js';
import { parseRecordsBatch } from '../../ingest/records/record.schemas.js';
import type { ApiRouter } from '../route.js';

const CountsSchema = z.object({ added: z.number(), updated: z.number(), unchanged: z.number(), deleted: z.number() });

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

const JobAcceptedSchema = z.object({ job: JobSchema, statusUrl: z.string() }).meta({ id: 'JobAccepted' });

const RecordsSummarySchema = z
  .object({
    patients: z.number(),
    documents: CountsSchema,
    chunks: CountsSchema,
    embeddingCalls: z.number(),
    tokensEmbedded: z.number(),
    ms: z.number(),
  })
  .meta({ id: 'RecordsSummary' });

// Documented shape only: the batch is validated by parseRecordsBatch, which names every
// offending field (patients.0.allergies.1.severity) in one 400.
const RecordsBodySchema = z
  .strictObject({ patients: z.array(z.record(z.string(), z.unknown())).min(1).max(500) })
  .meta({ id: 'RecordsBatch', description: 'Patients with allergies, conditions, appointments, records, prescriptions, vitals (see SPEC).' });

export function registerAdminRoutes(api: ApiRouter, ingest: IngestService): void {
  api.add(
    {
      method: 'post',
      path: '/v1/admin/reindex',
      summary: 'Re-index a documentation folder incrementally (a job; 202 at once).',
      tags: ['admin'],
      access: 'admin',
      body: ReindexBodySchema,
      responses: {
        202: { description: 'Job started.', schema: JobAcceptedSchema },
        409: { description: 'A job for this folder is already running.' },
      },
    },
    async ({ body, req }) => {
      const job = await ingest.startReindex(body, req.auth?.clientName ?? null);
      const statusUrl = `/v1/admin/jobs/${job.id}`;
      return { status: 202, headers: { Location: statusUrl }, body: { job, statusUrl } };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/admin/jobs/:id',
      summary: 'State, progress, counts and error of an ingest job.',
      tags: ['admin'],
      access: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'The job.', schema: JobSchema } },
    },
    async ({ params }) => ({ body: await ingest.getJob(params.id) }),
  );

  api.add(
    {
      method: 'post',
      path: '/v1/admin/records',
      summary: "Push patients' records; each patient's documents replace their previous version.",
      tags: ['admin'],
      access: 'admin',
      body: RecordsBodySchema,
      responses: { 200: { description: 'What was indexed.', schema: RecordsSummarySchema } },
    },
    async ({ req }) => {
      const batch = parseRecordsBatch(req.body);
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
