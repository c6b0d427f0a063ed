import type { Request, Response } from 'express';
import { z } from 'zod';
import type { IngestService } from '../../ingest/ingest.service.js';
import type { JobRecord } from '../../ingest/ingest-jobs.js';
import type { ApiRouter } from '../route.js';
import { writeEvent } from '../sse.js';
import { JobSchema } from './admin.routes.js';

/** Progress events closer together than this are merged: a re-run of unchanged files reports every file. */
const PROGRESS_INTERVAL_MS = 200;
/** How often the row of a job that another instance runs is read. */
const POLL_INTERVAL_MS = 1_000;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/** Past ingest jobs and the live progress of one. */
export function registerAdminJobRoutes(api: ApiRouter, ingest: IngestService): void {
  api.add(
    {
      method: 'get',
      path: '/v1/admin/jobs',
      operationId: 'listJobs',
      summary: 'Recent ingest jobs, newest first.',
      tags: ['admin'],
      access: 'admin',
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
      responses: { 200: { description: 'The jobs.', schema: z.object({ jobs: z.array(JobSchema) }).meta({ id: 'JobList' }) } },
    },
    async ({ query }) => ({ body: { jobs: await ingest.recentJobs(query.limit) } }),
  );

  api.add(
    {
      method: 'get',
      path: '/v1/admin/jobs/:id/events',
      operationId: 'followJob',
      summary:
        'Server-sent events of a job: `job` (the job) at once; `progress` (documents done and total, changes so far) as the job ' +
        'reports (or `job` whenever its row changes, for a job another instance runs); a last `job` once it has finished; then the stream ends.',
      tags: ['admin'],
      access: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: {
        200: { description: 'The event stream.', schema: z.string(), contentType: 'text/event-stream' },
        404: { description: 'No such job.' },
      },
    },
    async ({ params, req, res }) => {
      const job = await ingest.getJob(params.id);
      await followJob(ingest, job, req, res);
    },
  );
}

/**
 * Streams a job until it has finished. A job of this process is followed as it reports,
 * and its row read once more when it ends (the embedded database is one session, which
 * the job's writes keep busy); a job of another instance, by reading its row every
 * POLL_INTERVAL_MS.
 */
async function followJob(ingest: IngestService, first: JobRecord, req: Request, res: Response): Promise<void> {
  writeEvent(res, 'job', first);
  if (first.state !== 'running') {
    res.end();
    return;
  }
  let last = JSON.stringify(first);
  let pending: Record<string, unknown> | null = null;
  let flushTimer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;

  const flushProgress = () => {
    flushTimer = undefined;
    if (pending && !res.writableEnded) writeEvent(res, 'progress', pending);
    pending = null;
  };
  const unwatch = ingest.watchJob(first.id, (event) => {
    if (event.type === 'finished') return wake();
    pending = event.progress;
    flushTimer ??= setTimeout(flushProgress, PROGRESS_INTERVAL_MS);
  });
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  let closed = false;
  res.on('close', () => {
    closed = true;
    wake();
  });

  try {
    while (!closed) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (!unwatch) setTimeout(resolve, POLL_INTERVAL_MS).unref();
      });
      if (closed) break;
      const job = await ingest.getJob(first.id);
      const seen = JSON.stringify(job);
      if (job.state !== 'running') {
        clearTimeout(flushTimer);
        flushProgress();
        writeEvent(res, 'job', job);
        break;
      }
      if (seen !== last) {
        last = seen;
        writeEvent(res, 'job', job);
      }
    }
  } catch (error) {
    // The stream has begun: the failure becomes its last event rather than a status.
    req.log.warn({ err: error, jobId: first.id }, 'job event stream failed');
    if (!closed) writeEvent(res, 'error', { detail: 'The job could not be read; reload to follow it again.' });
  } finally {
    unwatch?.();
    clearTimeout(flushTimer);
    clearInterval(keepalive);
    res.end();
  }
}
