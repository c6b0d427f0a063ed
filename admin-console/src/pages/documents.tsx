import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { withQuery } from '../api.js';
import type { Chunk, IndexedDocument } from '../types.js';
import { ErrorMessage, formatDate, formatNumber, formText, Page, useGet } from '../ui.js';

const PAGE_SIZE = 50;

/** Documentation documents with a text filter; a document opens to its chunks. The filter lives in the URL. */
export function DocumentsPage() {
  const { query, route } = useLocation();
  const offset = Number(query.offset ?? 0) || 0;
  const filter = { q: query.q ?? '', module: query.module ?? '', collection: query.collection ?? '' };
  const { data, error, loading } = useGet<{ total: number; documents: IndexedDocument[] }>(
    withQuery('/v1/admin/documents', { ...filter, limit: PAGE_SIZE, offset }),
  );
  const [open, setOpen] = useState<string | null>(null);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setOpen(null);
    route(withQuery('/admin/documents', { q: formText(form, 'q'), module: formText(form, 'module'), collection: formText(form, 'collection') }));
  };
  const pageTo = (next: number) => route(withQuery('/admin/documents', { ...filter, offset: next }));

  return (
    <Page title="Documents and chunks">
      <form class="filters" onSubmit={submit} role="search" key={JSON.stringify(filter)}>
        <label>
          Text <input name="q" type="search" defaultValue={filter.q} placeholder="in titles, paths and content" />
        </label>
        <label>
          Module <input name="module" defaultValue={filter.module} />
        </label>
        <label>
          Collection <input name="collection" defaultValue={filter.collection} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorMessage error={error} />
      {data && (
        <>
          <table>
            <caption aria-live="polite">
              {loading ? 'Loading…' : `${formatNumber(data.total)} documents`}
              {data.total > 0 && ` · ${offset + 1}–${offset + data.documents.length}`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Path</th>
                <th scope="col">Module</th>
                <th scope="col" class="num">
                  Chunks
                </th>
                <th scope="col">Indexed</th>
              </tr>
            </thead>
            <tbody>
              {data.documents.map((document) => {
                const key = `${document.collection}\u0000${document.sourceId}`;
                const expanded = open === key;
                return [
                  <tr key={key}>
                    <td>
                      <button type="button" class="link" aria-expanded={expanded} onClick={() => setOpen(expanded ? null : key)}>
                        {document.title}
                      </button>
                    </td>
                    <td>
                      <code>
                        {document.collection}/{document.sourceId}
                      </code>
                    </td>
                    <td>{document.module ?? '—'}</td>
                    <td class="num">{document.chunkCount}</td>
                    <td>{formatDate(document.indexedAt)}</td>
                  </tr>,
                  expanded && (
                    <tr key={`${key}:chunks`} class="expanded">
                      <td colSpan={5}>
                        <DocumentChunks document={document} text={filter.q} />
                      </td>
                    </tr>
                  ),
                ];
              })}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            <button type="button" disabled={offset === 0} onClick={() => pageTo(Math.max(0, offset - PAGE_SIZE))}>
              Previous
            </button>
            <button type="button" disabled={offset + PAGE_SIZE >= data.total} onClick={() => pageTo(offset + PAGE_SIZE)}>
              Next
            </button>
          </nav>
        </>
      )}
    </Page>
  );
}

function DocumentChunks({ document, text }: { document: IndexedDocument; text: string }) {
  const [all, setAll] = useState(text === '');
  const { data, error } = useGet<{ chunks: Chunk[] }>(
    withQuery('/v1/admin/chunks', { collection: document.collection, sourceId: document.sourceId, q: all ? '' : text }),
  );
  return (
    <div class="chunks">
      <ErrorMessage error={error} />
      {!all && (
        <p>
          Chunks holding “{text}”.{' '}
          <button type="button" class="link" onClick={() => setAll(true)}>
            Show all {document.chunkCount}
          </button>
        </p>
      )}
      {data?.chunks.map((chunk) => <ChunkView key={chunk.id} chunk={chunk} />)}
    </div>
  );
}

/** A chunk as indexed: where it sits in its document, its size, its text. */
export function ChunkView({ chunk }: { chunk: Chunk }) {
  return (
    <article class="chunk" aria-label={`Chunk ${chunk.chunkIndex + 1}`}>
      <header>
        <span class="heading-path">{chunk.headingPath.join(' › ')}</span>
        <span class="meta">
          #{chunk.chunkIndex + 1} · {chunk.tokenCount} tokens · <a href={`/admin/chunks/${chunk.id}`}>{chunk.id.slice(0, 12)}…</a>
        </span>
      </header>
      <p class="content">{chunk.content}</p>
    </article>
  );
}
