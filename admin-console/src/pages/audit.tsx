import { useLocation } from 'preact-iso/router';
import { withQuery } from '../api.js';
import type { AuditEntry } from '../types.js';
import { ErrorMessage, formatDate, formText, Page, useGet } from '../ui.js';

const PAGE_SIZE = 50;

/** `datetime-local` gives local time without an offset; the API wants an instant. */
function toInstant(value: string): string {
  return value ? new Date(value).toISOString() : '';
}

function toLocalInput(value: string | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** Who read which patient's data, newest first, filtered and paged; the filter lives in the URL. */
export function AuditPage() {
  const { query, route } = useLocation();
  const filter = { patientId: query.patientId, doctorId: query.doctorId, app: query.app, from: query.from, to: query.to };
  const { data, error, loading } = useGet<{ entries: AuditEntry[]; nextCursor: string | null }>(
    withQuery('/v1/admin/audit', { ...filter, cursor: query.cursor, limit: PAGE_SIZE }),
  );

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    route(
      withQuery('/admin/audit', {
        patientId: formText(form, 'patientId'),
        doctorId: formText(form, 'doctorId'),
        app: formText(form, 'app'),
        from: toInstant(formText(form, 'from')),
        to: toInstant(formText(form, 'to')),
      }),
    );
  };

  return (
    <Page title="Audit trail">
      <form class="filters" onSubmit={submit} key={JSON.stringify(filter)}>
        <label>
          Patient id <input name="patientId" defaultValue={filter.patientId ?? ''} size={38} />
        </label>
        <label>
          Doctor id <input name="doctorId" defaultValue={filter.doctorId ?? ''} size={38} />
        </label>
        <label>
          App <input name="app" defaultValue={filter.app ?? ''} placeholder="API client name" />
        </label>
        <label>
          From <input name="from" type="datetime-local" defaultValue={toLocalInput(filter.from)} />
        </label>
        <label>
          To <input name="to" type="datetime-local" defaultValue={toLocalInput(filter.to)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorMessage error={error} />
      {data && (
        <>
          <table>
            <caption aria-live="polite">
              {loading ? 'Loading…' : `${data.entries.length} ${data.entries.length === 1 ? 'entry' : 'entries'}${query.cursor ? ' (older page)' : ''}`}
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">App</th>
                <th scope="col">Doctor</th>
                <th scope="col">Action</th>
                <th scope="col">Patients</th>
                <th scope="col" class="num">
                  Chunks
                </th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDate(entry.at)}</td>
                  <td>{entry.clientName}</td>
                  <td>
                    <code>{entry.doctorId ?? '—'}</code>
                    {entry.purpose && <div class="meta">{entry.purpose}</div>}
                  </td>
                  <td>{entry.action}</td>
                  <td>
                    {entry.patientIds.map((id) => (
                      <div key={id}>
                        <code>{id}</code>
                      </div>
                    ))}
                  </td>
                  <td class="num">{entry.chunkIds.length}</td>
                  <td>
                    <code>{entry.requestId.slice(0, 8)}</code>
                  </td>
                </tr>
              ))}
              {data.entries.length === 0 && (
                <tr>
                  <td colSpan={7}>No entry matches.</td>
                </tr>
              )}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            <button type="button" disabled={!query.cursor} onClick={() => route(withQuery('/admin/audit', filter))}>
              Newest
            </button>
            <button type="button" disabled={!data.nextCursor} onClick={() => route(withQuery('/admin/audit', { ...filter, cursor: data.nextCursor }))}>
              Older
            </button>
          </nav>
        </>
      )}
    </Page>
  );
}
