import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../errors.js';
import { isWithin, realPathOrNull } from '../lib/paths.js';
import { defaultCollectionName, ingestDocsFolder, type DocsIngestRequest, type DocsIngestSummary } from './docs-ingest.js';
import type { IngestJobs, JobEvent, JobRecord } from './ingest-jobs.js';
import { ingestPatientRecords } from './records-ingest.js';
import type { PatientRecord } from './records/record.schemas.js';
import type { IndexerDependencies, IndexSummary } from './source-indexer.js';

export interface ReindexRequest {
  path: string;
  module?: string;
  collection?: string;
}

/**
 * What admins and the main apps can ask of ingestion: re-index a folder (as a job) and
 * push patient records. Folders asked for through the API must lie under an allowed
 * root, as written and once every symbolic link is resolved: the API must not become a
 * way to read arbitrary files of the server. The CLI reads what its operator can read
 * anyway. Either way, links inside the folder are not followed (see docs-ingest.ts).
 */
export class IngestService {
  constructor(
    private readonly deps: IndexerDependencies,
    private readonly jobs: IngestJobs,
    private readonly allowedRoots: string[],
  ) {}

  /** Starts a re-index job and returns at once; the job runs in the background. */
  async startReindex(request: ReindexRequest, requestedBy: string | null): Promise<JobRecord> {
    // As written first: a folder outside the roots is refused before its existence shows.
    await this.assertAllowedRoot(request.path, path.resolve(request.path));
    const docs = await this.resolveRequest(request);
    await this.assertAllowedRoot(request.path, docs.rootDir);
    const job = await this.jobs.start('docs', `docs:${docs.collection}`, requestedBy);
    // The outcome is recorded on the job row; nobody awaits it here.
    this.jobs
      .run(job, ({ signal, reportProgress }) =>
        ingestDocsFolder(this.deps, { ...docs, signal, onProgress: reportProgress }).then(toRecordable),
      )
      .catch((error: unknown) => this.deps.logger.error({ err: error, jobId: job.id }, 'could not record job outcome'));
    return job;
  }

  /** Re-indexes a folder in the foreground (CLI), under the same job lock as the API. */
  async reindex(
    request: ReindexRequest & Pick<DocsIngestRequest, 'onProgress'>,
    requestedBy: string,
  ): Promise<{ job: JobRecord; summary: DocsIngestSummary | null }> {
    const docs = await this.resolveRequest(request);
    const job = await this.jobs.start('docs', `docs:${docs.collection}`, requestedBy);
    let summary: DocsIngestSummary | null = null;
    const finished = await this.jobs.run(job, async ({ signal, reportProgress }) => {
      summary = await ingestDocsFolder(this.deps, {
        ...docs,
        signal,
        onProgress: (progress) => {
          reportProgress(progress);
          request.onProgress?.(progress);
        },
      });
      return toRecordable(summary);
    });
    return { job: finished, summary };
  }

  getJob(id: string): Promise<JobRecord> {
    return this.jobs.get(id);
  }

  recentJobs(limit: number): Promise<JobRecord[]> {
    return this.jobs.recent(limit);
  }

  /** Live progress of a job running in this process (see IngestJobs.watch). */
  watchJob(id: string, listener: (event: JobEvent) => void): (() => void) | null {
    return this.jobs.watch(id, listener);
  }

  /** The folders a re-index may read, as configured. */
  get roots(): readonly string[] {
    return this.allowedRoots;
  }

  /** Writes a validated batch of patients now; each patient's parts replace their previous version. */
  pushRecords(patients: PatientRecord[], signal?: AbortSignal): Promise<IndexSummary> {
    return ingestPatientRecords(this.deps, patients, { signal });
  }

  /** `folder` as the request wrote it; `resolved`, the path checked (written, or real). */
  private async assertAllowedRoot(folder: string, resolved: string): Promise<void> {
    // Each root as written (to check a path as written) and real (to check a real path).
    const roots = await Promise.all(this.allowedRoots.map(async (root) => [path.resolve(root), await realPathOrNull(root)]));
    const allowed = roots.flat().some((root) => root !== null && isWithin(root, resolved));
    if (!allowed) {
      throw new ValidationError(`${folder} is outside the folders this service may index (INGEST_ALLOWED_ROOTS).`, {
        code: 'path_not_allowed',
        details: [{ path: 'path', message: 'outside INGEST_ALLOWED_ROOTS' }],
      });
    }
  }

  /** The folder by its real path (what is read and checked); the collection by the path as written. */
  private async resolveRequest(request: ReindexRequest): Promise<DocsIngestRequest & { collection: string; rootDir: string }> {
    const written = path.resolve(request.path);
    const rootDir = (await realPathOrNull(written)) ?? written;
    const info = await stat(rootDir).catch(() => null);
    if (!info?.isDirectory()) {
      throw new ValidationError(`${request.path} is not a folder.`, {
        code: 'path_not_found',
        details: [{ path: 'path', message: 'no such folder' }],
      });
    }
    return {
      rootDir,
      collection: request.collection ?? defaultCollectionName(written),
      ...(request.module ? { module: request.module } : {}),
    };
  }
}

function toRecordable(summary: IndexSummary): Record<string, unknown> {
  return { ...summary };
}
