import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

export type JobKind = 'docs' | 'records';
export type JobState = 'running' | 'succeeded' | 'failed';

export interface JobRecord {
  id: string;
  kind: JobKind;
  sourceKey: string;
  state: JobState;
  progress: Record<string, unknown>;
  summary: Record<string, unknown> | null;
  error: string | null;
  requestedBy: string | null;
  createdAt: Date;
  heartbeatAt: Date;
  finishedAt: Date | null;
}

export interface JobContext {
  signal: AbortSignal;
  reportProgress: (progress: object) => void;
}

// Named as JobRecord names them, so rows are returned as they come.
const JOB_COLUMNS = `id, kind, source_key AS "sourceKey", state, progress, summary, error, requested_by AS "requestedBy",
  created_at AS "createdAt", heartbeat_at AS "heartbeatAt", finished_at AS "finishedAt"`;
// A job whose process died stops beating; after this long it is declared failed.
const MARK_STALE = `
  UPDATE llm_assistant.ingest_jobs
  SET state = 'failed', error = 'interrupted: the process running it stopped (no heartbeat)', finished_at = now()
  WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`;
const INSERT_JOB = `
  INSERT INTO llm_assistant.ingest_jobs (id, kind, source_key, state, requested_by)
  VALUES ($1, $2, $3, 'running', $4) RETURNING ${JOB_COLUMNS}`;
const HEARTBEAT = `UPDATE llm_assistant.ingest_jobs SET heartbeat_at = now(), progress = $2 WHERE id = $1 AND state = 'running'`;
const FINISH = `
  UPDATE llm_assistant.ingest_jobs SET state = $2, summary = $3, error = $4, progress = $5, finished_at = now(), heartbeat_at = now()
  WHERE id = $1`;
const SELECT_JOB = `SELECT ${JOB_COLUMNS} FROM llm_assistant.ingest_jobs WHERE id = $1`;
const SELECT_RECENT = `SELECT ${JOB_COLUMNS} FROM llm_assistant.ingest_jobs ORDER BY created_at DESC, id LIMIT $1`;

const UNIQUE_VIOLATION = '23505';

/** What a watcher of a job running in this process hears: its progress as reported, then its end. */
export type JobEvent = { type: 'progress'; progress: Record<string, unknown> } | { type: 'finished' };

export interface IngestJobsOptions {
  heartbeatMs?: number;
  staleAfterMs?: number;
}

/**
 * Ingest jobs with a database lock: the partial unique index on running jobs lets one
 * job per source run at a time across every instance, and a heartbeat tells a crashed
 * job (visible as failed, re-runnable) from a slow one.
 */
export class IngestJobs {
  private readonly heartbeatMs: number;
  private readonly staleAfterSeconds: number;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void>; progress: () => Record<string, unknown> }>();
  private readonly watchers = new Map<string, Set<(event: JobEvent) => void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
    options: IngestJobsOptions = {},
  ) {
    this.staleAfterSeconds = (options.staleAfterMs ?? 30_000) / 1000;
    // Several beats per stale window, so one slow beat never makes a live job look dead.
    this.heartbeatMs = options.heartbeatMs ?? Math.max(500, (this.staleAfterSeconds * 1000) / 6);
  }

  /** Claims the source for a new job; 409 `job_already_running` when another job holds it. */
  async start(kind: JobKind, sourceKey: string, requestedBy: string | null): Promise<JobRecord> {
    await this.pool.query(MARK_STALE, [this.staleAfterSeconds]);
    try {
      const { rows } = await this.pool.query<JobRecord>(INSERT_JOB, [randomUUID(), kind, sourceKey, requestedBy]);
      return rows[0]!;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictError(
          `A ${kind} job for ${sourceKey} is already running (a job whose process died is released ${this.staleAfterSeconds} s after its last heartbeat).`,
          { code: 'job_already_running', cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * Runs the work of a started job, beating while it runs, and records the outcome.
   * Resolves when the job is finished (either way); the work's error is kept on the job.
   */
  run(job: JobRecord, work: (context: JobContext) => Promise<Record<string, unknown>>): Promise<JobRecord> {
    const controller = new AbortController();
    let progress: Record<string, unknown> = {};
    const beat = setInterval(() => {
      this.pool.query(HEARTBEAT, [job.id, progress]).catch((error: unknown) => {
        this.logger.warn({ err: error, jobId: job.id }, 'job heartbeat failed');
      });
    }, this.heartbeatMs);
    beat.unref();

    const execute = async (): Promise<JobRecord> => {
      let state: JobState = 'succeeded';
      let summary: Record<string, unknown> | null = null;
      let message: string | null = null;
      try {
        summary = await work({
          signal: controller.signal,
          reportProgress: (next) => {
            progress = { ...next };
            const processed = progress.documentsProcessed;
            if (typeof processed === 'number') this.metrics?.jobProgress.set({ kind: job.kind }, processed);
            this.notify(job.id, { type: 'progress', progress });
          },
        });
      } catch (error) {
        state = 'failed';
        message = controller.signal.aborted ? 'interrupted: the service shut down' : (error as Error).message;
        this.logger.error({ err: error, jobId: job.id, kind: job.kind }, 'ingest job failed');
      } finally {
        clearInterval(beat);
      }
      await this.pool.query(FINISH, [job.id, state, summary, message, progress]);
      this.logger.info({ jobId: job.id, kind: job.kind, state }, 'ingest job finished');
      return this.get(job.id);
    };
    const done = execute().finally(() => {
      this.running.delete(job.id);
      // After the outcome is stored, so that a watcher reading the job finds it finished.
      this.notify(job.id, { type: 'finished' });
      this.watchers.delete(job.id);
    });
    this.running.set(job.id, { controller, done: done.then(() => undefined, () => undefined), progress: () => progress });
    return done;
  }

  async get(id: string): Promise<JobRecord> {
    await this.pool.query(MARK_STALE, [this.staleAfterSeconds]);
    const { rows } = await this.pool.query<JobRecord>(SELECT_JOB, [id]);
    if (!rows[0]) throw new NotFoundError(`No job ${id}.`);
    return rows[0];
  }

  /** The most recent jobs, newest first. */
  async recent(limit: number): Promise<JobRecord[]> {
    await this.pool.query(MARK_STALE, [this.staleAfterSeconds]);
    const { rows } = await this.pool.query<JobRecord>(SELECT_RECENT, [limit]);
    return rows;
  }

  /**
   * Follows a job that runs in this process, as it reports, without reading the database:
   * the listener hears the progress reported so far at once, then each report. Returns the
   * function that stops watching, or null when the job does not run here (it is finished,
   * or another instance runs it: its row is then the only source).
   */
  watch(id: string, listener: (event: JobEvent) => void): (() => void) | null {
    const running = this.running.get(id);
    if (!running) return null;
    const progress = running.progress();
    if (Object.keys(progress).length > 0) listener({ type: 'progress', progress });
    const listeners = this.watchers.get(id) ?? new Set();
    listeners.add(listener);
    this.watchers.set(id, listeners);
    return () => listeners.delete(listener);
  }

  private notify(id: string, event: JobEvent): void {
    for (const listener of this.watchers.get(id) ?? []) listener(event);
  }

  /** Shutdown: interrupts running jobs (recorded as failed, re-runnable) and waits for them. */
  async close(): Promise<void> {
    for (const { controller } of this.running.values()) controller.abort();
    await Promise.all([...this.running.values()].map((job) => job.done));
  }
}
