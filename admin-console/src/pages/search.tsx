import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { IndexOverview, SearchExplanation } from '../types.js';
import { Badge, ErrorMessage, formatNumber, formText, Page, useGet } from '../ui.js';

const REASON_TEXT: Record<SearchExplanation['evidence']['reason'], string> = {
  no_hits: 'nothing matched the query at all',
  below_floor: 'the nearest chunks are not close enough to the question (below the evidence floor)',
  at_or_above_floor: 'the nearest chunks are close enough to the question (at or above the evidence floor)',
  not_measured: 'no vector ranking ran, so nothing was measured',
  record_found_by_words: "a patient's record was found by its words, which counts as evidence whatever its similarity",
  names_a_title: 'a title holds every word of the question, which counts as evidence whatever its similarity',
};

const MATCH_TEXT = { vector: 'vectors only', lexical: 'words only (BM25)', both: 'vectors and words' } as const;

/** A documentation search with everything that ranked each chunk and the refusal decision. */
export function SearchPage() {
  const overview = useGet<IndexOverview>('/v1/admin/index');
  const [result, setResult] = useState<SearchExplanation | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const modules = form.getAll('modules').map(String);
    const sourceKinds = form.getAll('sourceKinds').map(String);
    setBusy(true);
    setError(null);
    try {
      setResult(
        await api<SearchExplanation>('POST', '/v1/admin/search/explain', {
          query: formText(form, 'query'),
          k: Number(form.get('k')),
          filters: { ...(modules.length > 0 ? { modules } : {}), ...(sourceKinds.length > 0 ? { sourceKinds } : {}) },
        }),
      );
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Search debug">
      <form class="stack" onSubmit={(event) => void run(event)} role="search">
        <label>
          Query <input name="query" type="search" required maxLength={2000} placeholder="How do I reschedule an appointment?" />
        </label>
        <div class="row">
          <label>
            k <input name="k" type="number" min={1} max={50} defaultValue="10" />
          </label>
          <fieldset>
            <legend>Modules</legend>
            {overview.data?.modules.map((module) => (
              <label key={module.name} class="check">
                <input type="checkbox" name="modules" value={module.name} /> {module.name}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Source kinds</legend>
            <label class="check">
              <input type="checkbox" name="sourceKinds" value="doc" /> documentation
            </label>
            <label class="check">
              <input type="checkbox" name="sourceKinds" value="record" /> records
            </label>
          </fieldset>
        </div>
        <p class="hint">The console searches as no doctor: record chunks are never returned here, whatever the filter.</p>
        <button type="submit" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {result && <Explanation result={result} />}
    </Page>
  );
}

function Explanation({ result }: { result: SearchExplanation }) {
  const { evidence } = result;
  return (
    <>
      <section class={`decision ${evidence.refused ? 'refused' : 'answered'}`} aria-live="polite">
        <h2>
          {evidence.refused ? <Badge tone="bad">refused</Badge> : <Badge tone="good">answered</Badge>}{' '}
          {evidence.refused ? 'The chat would say it found nothing' : 'The chat would answer from these chunks'}
        </h2>
        <p>
          Because {REASON_TEXT[evidence.reason]}: evidence (mean similarity of the 10 nearest chunks) {formatNumber(evidence.evidence, 3)}, floor{' '}
          {formatNumber(evidence.floor, 3)} (
          {evidence.floorSource === 'corpus'
            ? `measured on the indexed documentation, lowered by a strong word match; best BM25 score ${formatNumber(evidence.bestLexicalScore, 1)}`
            : 'set by SEARCH_MIN_SIMILARITY'}
          ).
          {' '}
          {result.results.length} chunks ranked in {result.ms} ms.
        </p>
      </section>
      <table class="ranking">
        <caption>The fused ranking, best first (before the evidence floor)</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              #
            </th>
            <th scope="col">Chunk</th>
            <th scope="col">Found by</th>
            <th scope="col" class="num">
              Fused score
            </th>
            <th scope="col" class="num">
              Vector rank
            </th>
            <th scope="col" class="num">
              Similarity
            </th>
            <th scope="col" class="num">
              Lexical rank
            </th>
            <th scope="col" class="num">
              BM25
            </th>
            <th scope="col" class="num">
              Term coverage
            </th>
          </tr>
        </thead>
        <tbody>
          {result.results.map((hit, index) => (
            <tr key={hit.chunkId}>
              <td class="num">{index + 1}</td>
              <td>
                <a href={`/admin/chunks/${hit.chunkId}`}>{hit.headingPath.join(' › ')}</a>
                <div class="meta">
                  {hit.collection}/{hit.doc} · {hit.tokenCount} tokens
                </div>
                <details>
                  <summary>Content</summary>
                  <p class="content">{hit.content}</p>
                </details>
              </td>
              <td>
                <span class={`reason ${hit.ranking.reason}`}>{MATCH_TEXT[hit.ranking.reason]}</span>
              </td>
              <td class="num">{formatNumber(hit.ranking.score, 4)}</td>
              <td class="num">{hit.ranking.vectorRank ?? '—'}</td>
              <td class="num">{formatNumber(hit.ranking.similarity, 3)}</td>
              <td class="num">{hit.ranking.lexicalRank ?? '—'}</td>
              <td class="num">{formatNumber(hit.ranking.lexicalScore, 2)}</td>
              <td class="num">{hit.ranking.lexicalCoverage === null ? '—' : `${formatNumber(hit.ranking.lexicalCoverage * 100)}%`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
