import { withQuery } from '../api.js';
import type { Chunk } from '../types.js';
import { ErrorMessage, Page, useGet } from '../ui.js';
import { ChunkView } from './documents.js';

/** One documentation chunk: where citations and search results lead. */
export function ChunkPage({ id }: { id: string }) {
  const { data, error } = useGet<Chunk>(`/v1/admin/chunks/${encodeURIComponent(id)}`);
  return (
    <Page title={data ? data.title : 'Chunk'}>
      <ErrorMessage error={error} />
      {data && (
        <>
          <p>
            <code>
              {data.collection}/{data.sourceId}
            </code>
            {data.module && ` · module ${data.module}`}
            {data.url && (
              <>
                {' · '}
                <a href={data.url} rel="noreferrer noopener" target="_blank">
                  published page
                </a>
              </>
            )}
            {' · '}
            <a href={withQuery('/admin/documents', { collection: data.collection, q: data.title })}>the document</a>
          </p>
          <ChunkView chunk={data} />
        </>
      )}
    </Page>
  );
}
