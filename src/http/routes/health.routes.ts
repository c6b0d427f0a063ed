import { z } from 'zod';
import type { ReadinessReport } from '../../readiness.js';
import type { ApiRouter } from '../route.js';
import { ChangeCountsSchema } from './admin.routes.js';

const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

const CheckSchema = z.object({
  status: z.enum(['up', 'down', 'disabled']),
  latencyMs: z.number().optional(),
  detail: z.string().optional(),
});

const RecordsSyncRunSchema = z
  .object({
    outcome: z.enum(['succeeded', 'failed', 'locked']),
    bulk: z.boolean().describe('A bulk first sync: the whole run in one transaction, the HNSW index built once at its end.'),
    startedAt: z.string(),
    finishedAt: z.string(),
    ms: z.number(),
    patientsChanged: z.number().int().describe('Patients with a change since the watermark (overlap included).'),
    patientsWithDeletions: z.number().int(),
    patientsIndexed: z.number().int(),
    patientsRemoved: z.number().int(),
    rowsRead: z.number().int(),
    embeddingCalls: z.number().int(),
    documents: ChangeCountsSchema,
    problemCount: z.number().int(),
    problems: z.array(z.object({ table: z.string(), id: z.string(), message: z.string() })).describe('Rows reported and skipped.'),
    error: z.string().optional().describe('Why the run failed, when it did.'),
  })
  .describe('The last run: outcome, times, patients, rows read, embedding calls, skipped rows.');

const RecordsSyncCheckSchema = z
  .object({
    status: z.enum(['up', 'down', 'disabled']).describe('down: the last run failed, or none succeeded for five intervals (the service is then degraded).'),
    lagSeconds: z.number().nullable().describe('Seconds since the last successful run started.'),
    watermark: z.string().nullable().describe('Platform changes up to this instant are indexed.'),
    intervalSeconds: z.number().int().optional(),
    lastRun: RecordsSyncRunSchema.nullable().optional(),
    detail: z.string().optional(),
  })
  .meta({ id: 'RecordsSyncCheck' });

export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'degraded', 'not_ready']).describe('degraded: serving without an optional dependency (Redis), or with the records sync failing.'),
    checks: z.object({
      database: CheckSchema.extend({ kind: z.enum(['embedded', 'postgres']) }),
      schema: z.object({
        status: z.enum(['current', 'pending', 'mismatched', 'unknown']),
        pending: z.array(z.string()),
        applied: z.number().int(),
      }),
      redis: CheckSchema.extend({ kind: z.enum(['redis', 'memory']) }),
      recordsSync: RecordsSyncCheckSchema,
    }),
  })
  .meta({ id: 'Readiness' });

export function registerHealthRoutes(api: ApiRouter, readiness: () => Promise<ReadinessReport>): void {
  api.add(
    {
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      summary: 'Liveness: the process is up (checks nothing else).',
      tags: ['operations'],
      access: 'public',
      responses: { 200: { description: 'Alive.', schema: HealthSchema } },
    },
    () => Promise.resolve({ body: { status: 'ok' } }),
  );

  api.add(
    {
      method: 'get',
      path: '/readyz',
      operationId: 'getReadiness',
      summary: 'Readiness: database reachable with the current schema; Redis reachable (or not configured).',
      tags: ['operations'],
      access: 'public',
      responses: {
        200: { description: 'Ready (or degraded: serving without Redis: rate limits per process, query vectors not shared).', schema: ReadinessSchema },
        503: { description: 'Not ready.', schema: ReadinessSchema },
      },
    },
    async () => {
      const report = await readiness();
      return { status: report.status === 'not_ready' ? 503 : 200, body: report };
    },
  );
}
