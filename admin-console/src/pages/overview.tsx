import type { IndexOverview, RecordsSyncCheck } from '../types.js';
import { Badge, ErrorMessage, formatDate, formatNumber, Page, useGet } from '../ui.js';
import { JobCounts } from './reindex.js';

const STATUS_TONE = { ready: 'good', degraded: 'warn', not_ready: 'bad' } as const;

export function OverviewPage() {
  const { data, error, reload } = useGet<IndexOverview>('/v1/admin/index');
  return (
    <Page title="Index at a glance">
      <ErrorMessage error={error} />
      {data && <Overview overview={data} />}
      <p>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </p>
    </Page>
  );
}

function Overview({ overview }: { overview: IndexOverview }) {
  const { embedding, readiness, records, lastIngest } = overview;
  const totals = overview.documentation.reduce((sum, row) => ({ documents: sum.documents + row.documents, chunks: sum.chunks + row.chunks }), {
    documents: 0,
    chunks: 0,
  });
  const { database, schema, redis } = readiness.checks;
  return (
    <>
      <div class="cards">
        <section class="card" aria-labelledby="embedding">
          <h2 id="embedding">Embedding</h2>
          <dl>
            <dt>Model</dt>
            <dd>{embedding.model || '—'}</dd>
            <dt>Dimensions</dt>
            <dd>{embedding.dimensions}</dd>
            <dt>Index generation</dt>
            <dd>{embedding.generation}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="readiness">
          <h2 id="readiness">
            Readiness <Badge tone={STATUS_TONE[readiness.status]}>{readiness.status.replace('_', ' ')}</Badge>
          </h2>
          <dl>
            <dt>Database ({database.kind})</dt>
            <dd>
              {database.status}
              {database.latencyMs !== undefined && ` · ${database.latencyMs} ms`}
            </dd>
            <dt>Schema</dt>
            <dd>
              {schema.status} · {schema.applied} migrations applied
              {schema.pending.length > 0 && ` · pending: ${schema.pending.join(', ')}`}
            </dd>
            <dt>Cache ({redis.kind})</dt>
            <dd>{redis.status === 'down' ? `down (degraded: serving without cache) ${redis.detail ?? ''}` : redis.status}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="records">
          <h2 id="records">Patient records</h2>
          <dl>
            <dt>Patients</dt>
            <dd>{formatNumber(records.patients)}</dd>
            <dt>Record parts</dt>
            <dd>{formatNumber(records.sources)}</dd>
            <dt>Record chunks</dt>
            <dd>{formatNumber(records.chunks)}</dd>
          </dl>
          <p class="hint">Counts only: the console shows no patient data.</p>
        </section>
        <RecordsSyncCard sync={readiness.checks.recordsSync} />
        <section class="card" aria-labelledby="last-ingest">
          <h2 id="last-ingest">Last ingest</h2>
          {lastIngest ? (
            <>
              <p>
                <Badge tone={lastIngest.state === 'failed' ? 'bad' : lastIngest.state === 'running' ? 'warn' : 'good'}>{lastIngest.state}</Badge>{' '}
                {lastIngest.sourceKey} · {formatDate(lastIngest.finishedAt ?? lastIngest.createdAt)}
              </p>
              <JobCounts job={lastIngest} />
              {lastIngest.error && <p class="error">{lastIngest.error}</p>}
            </>
          ) : (
            <p>No ingest yet.</p>
          )}
        </section>
      </div>

      <h2>Documentation</h2>
      <table>
        <caption>
          {formatNumber(totals.documents)} documents, {formatNumber(totals.chunks)} chunks, by collection and module
        </caption>
        <thead>
          <tr>
            <th scope="col">Collection</th>
            <th scope="col">Module</th>
            <th scope="col" class="num">
              Documents
            </th>
            <th scope="col" class="num">
              Chunks
            </th>
            <th scope="col" class="num">
              Tokens
            </th>
            <th scope="col">Last indexed</th>
          </tr>
        </thead>
        <tbody>
          {overview.documentation.map((row) => (
            <tr key={`${row.collection}/${row.module}`}>
              <td>{row.collection}</td>
              <td>
                <a href={`/admin/documents?collection=${encodeURIComponent(row.collection)}${row.module ? `&module=${encodeURIComponent(row.module)}` : ''}`}>
                  {row.module ?? '(none)'}
                </a>
              </td>
              <td class="num">{formatNumber(row.documents)}</td>
              <td class="num">{formatNumber(row.chunks)}</td>
              <td class="num">{formatNumber(row.tokens)}</td>
              <td>{formatDate(row.lastIndexedAt)}</td>
            </tr>
          ))}
          {overview.documentation.length === 0 && (
            <tr>
              <td colSpan={6}>
                Nothing indexed yet: <a href="/admin/reindex">re-index a folder</a>.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}

const SYNC_TONE = { up: 'good', down: 'bad', disabled: 'neutral' } as const;

/** The records sync (RECORDS_SYNC): last run, lag, rows seen, skipped rows by table and id. */
function RecordsSyncCard({ sync }: { sync: RecordsSyncCheck }) {
  const run = sync.lastRun;
  return (
    <section class="card" aria-labelledby="records-sync">
      <h2 id="records-sync">
        Records sync <Badge tone={SYNC_TONE[sync.status]}>{sync.status}</Badge>
      </h2>
      {sync.status === 'disabled' && <p>Not periodic here (RECORDS_SYNC=off); runs by hand with npm run records:sync are shown.</p>}
      <dl>
        <dt>Last run</dt>
        <dd>{run ? `${run.outcome} · ${formatDate(run.finishedAt)} · ${seconds(run.ms / 1000)}` : 'none yet'}</dd>
        <dt>Lag</dt>
        <dd>{sync.lagSeconds === null ? '—' : seconds(sync.lagSeconds)}</dd>
        <dt>Rows read</dt>
        <dd>{run ? formatNumber(run.rowsRead) : '—'}</dd>
        <dt>Patients changed / indexed / removed</dt>
        <dd>{run ? `${formatNumber(run.patientsChanged)} / ${formatNumber(run.patientsIndexed)} / ${formatNumber(run.patientsRemoved)}` : '—'}</dd>
        <dt>Skipped rows</dt>
        <dd>{run ? formatNumber(run.problemCount) : '—'}</dd>
      </dl>
      {run?.error && <p class="error">{run.error}</p>}
      {sync.detail && <p class="error">{sync.detail}</p>}
      {run && run.problems.length > 0 && (
        <ul>
          {run.problems.map((problem) => (
            <li key={`${problem.table}/${problem.id}`}>
              {problem.table} {problem.id}: {problem.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const seconds = (value: number) => `${formatNumber(value, 1)} s`;
