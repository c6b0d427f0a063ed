import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { IndexOverview, Job, JobProgress } from '../types.js';
import { Badge, ErrorMessage, formatDate, formatNumber, formText, Page, useGet } from '../ui.js';

const STATE_TONE = { running: 'warn', succeeded: 'good', failed: 'bad' } as const;

/** Start a re-index of a folder inside the allowed roots, follow it live, see past jobs. */
export function ReindexPage() {
  const overview = useGet<IndexOverview>('/v1/admin/index');
  const jobs = useGet<{ jobs: Job[] }>('/v1/admin/jobs?limit=20');
  const [error, setError] = useState<Error | null>(null);
  const [followed, setFollowed] = useState<string | null>(null);

  const start = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => formText(form, name);
    setError(null);
    try {
      const job = await api<Job>('POST', '/v1/admin/reindex', {
        path: text('path'),
        ...(text('module') ? { module: text('module') } : {}),
        ...(text('collection') ? { collection: text('collection') } : {}),
      });
      setFollowed(job.id);
      jobs.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };

  const roots = overview.data?.allowedRoots ?? [];
  return (
    <Page title="Re-index documentation">
      <form class="stack" onSubmit={(event) => void start(event)}>
        <label>
          Folder
          <input name="path" required defaultValue="examples/docs" aria-describedby="roots" />
        </label>
        <p id="roots" class="hint">
          Relative to the service's working folder, and inside the allowed roots: {roots.length > 0 ? roots.map((root) => <code key={root}>{root} </code>) : '…'}
        </p>
        <div class="row">
          <label>
            Module (optional) <input name="module" placeholder="all documents in one module" />
          </label>
          <label>
            Collection (optional) <input name="collection" placeholder="default: the folder's last two segments" />
          </label>
        </div>
        <button type="submit">Start re-index</button>
      </form>
      <ErrorMessage error={error} />
      {followed && <LiveJob key={followed} id={followed} onFinished={jobs.reload} />}

      <h2>Past jobs</h2>
      <ErrorMessage error={jobs.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Source</th>
            <th scope="col">State</th>
            <th scope="col">Documents</th>
            <th scope="col" class="num">
              Skipped
            </th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          {jobs.data?.jobs.map((job) => (
            <tr key={job.id}>
              <td>{formatDate(job.createdAt)}</td>
              <td>
                <code>{job.sourceKey}</code>
              </td>
              <td>
                <Badge tone={STATE_TONE[job.state]}>{job.state}</Badge>{' '}
                {job.state === 'running' && job.id !== followed && (
                  <button type="button" class="link" onClick={() => setFollowed(job.id)}>
                    follow
                  </button>
                )}
                {job.error && <span class="error-text">{job.error}</span>}
              </td>
              <td>
                <JobCounts job={job} />
              </td>
              <td class="num">{job.summary?.skipped?.length ?? job.progress.skipped ?? 0}</td>
              <td>{job.summary?.ms !== undefined ? `${formatNumber(job.summary.ms / 1000, 1)} s` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}

/** Added / updated / unchanged / deleted documents, from the summary or, while running, the progress. */
export function JobCounts({ job }: { job: Pick<Job, 'summary' | 'progress'> }) {
  const counts = job.summary?.documents ?? job.progress.documents;
  if (!counts) return <span>—</span>;
  return (
    <span class="counts">
      <span>{counts.added} added</span> <span>{counts.updated} updated</span> <span>{counts.unchanged} unchanged</span>{' '}
      <span>{job.summary ? `${counts.deleted} deleted` : '… deleted'}</span>
    </span>
  );
}

/** A job followed over server-sent events until it ends. */
function LiveJob({ id, onFinished }: { id: string; onFinished: () => void }) {
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<JobProgress>({});
  const [lost, setLost] = useState(false);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  useEffect(() => {
    const events = new EventSource(`/v1/admin/jobs/${id}/events`);
    events.addEventListener('job', (event) => {
      const next = JSON.parse((event as MessageEvent<string>).data) as Job;
      setJob(next);
      setProgress(next.progress);
      if (next.state !== 'running') {
        // The server ends the stream; without this the browser would reconnect.
        events.close();
        finished.current();
      }
    });
    events.addEventListener('progress', (event) => setProgress(JSON.parse((event as MessageEvent<string>).data) as JobProgress));
    events.addEventListener('error', () => {
      if (events.readyState === EventSource.CLOSED) setLost(true);
    });
    return () => events.close();
  }, [id]);

  const done = progress.documentsProcessed ?? 0;
  const total = progress.documentsTotal ?? 0;
  const skipped = job?.summary?.skipped ?? [];
  return (
    <section class="card live-job" aria-labelledby="live-job" aria-live="polite">
      <h2 id="live-job">
        Job {job ? <code>{job.sourceKey}</code> : '…'} {job && <Badge tone={STATE_TONE[job.state]}>{job.state}</Badge>}
      </h2>
      <label class="progress">
        <span>
          {formatNumber(done)} / {formatNumber(total)} documents
        </span>
        <progress max={Math.max(total, 1)} value={job?.state === 'succeeded' ? Math.max(total, 1) : done} />
      </label>
      {job && <JobCounts job={{ summary: job.state === 'running' ? null : job.summary, progress }} />}
      {job?.summary && (
        <p>
          Chunks: {job.summary.chunks?.added ?? 0} added, {job.summary.chunks?.updated ?? 0} updated, {job.summary.chunks?.deleted ?? 0} deleted ·{' '}
          {job.summary.embeddingCalls ?? 0} embedding calls · {formatNumber((job.summary.ms ?? 0) / 1000, 1)} s
        </p>
      )}
      {job?.error && <p class="error">{job.error}</p>}
      {lost && <p class="error">The connection to the job was lost; the past jobs below show how it ended.</p>}
      {job && job.state !== 'running' && (
        <>
          <h3>Skipped files ({skipped.length})</h3>
          {skipped.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul class="skipped">
              {skipped.map((file) => (
                <li key={file.path}>
                  <code>{file.path}</code> — {file.reason}: {file.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
