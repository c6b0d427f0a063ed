import { useEffect } from 'preact/hooks';
import type { MetricsSummary } from '../types.js';
import { ErrorMessage, formatNumber, formatSeconds, Page, useGet } from '../ui.js';

const REFRESH_MS = 10_000;
const SERIES_CLASSES = ['s1', 's2', 's3'];

interface BarRow {
  label: string;
  values: number[];
}

/** Charts of this instance's own metrics (what /metrics exposes), refreshed every few seconds. */
export function MetricsPage() {
  const { data, error, reload } = useGet<MetricsSummary>('/v1/admin/metrics/summary');
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <Page title="Metrics">
      <ErrorMessage error={error} />
      {data && <Charts summary={data} />}
      <p>
        <button type="button" onClick={reload}>
          Refresh
        </button>{' '}
        <span class="hint">Refreshes every {REFRESH_MS / 1000} s.</span>
      </p>
    </Page>
  );
}

function Charts({ summary }: { summary: MetricsSummary }) {
  const routes = summary.routes.filter((route) => route.route !== 'unmatched').slice(0, 12);
  const label = (route: MetricsSummary['routes'][number]) => `${route.method} ${route.route}`;
  return (
    <>
      <p>
        Counted by this instance over the last {formatNumber(summary.sinceSeconds / 60, 1)} minutes. Searches: {formatNumber(summary.retrieval.searches)} (p50{' '}
        {formatSeconds(summary.retrieval.p50)}, p95 {formatSeconds(summary.retrieval.p95)} in SQL).
      </p>
      <div class="charts">
        <BarChart
          title="Requests per route"
          series={['requests', 'server errors']}
          rows={routes.map((route) => ({ label: label(route), values: [route.requests, route.serverErrors] }))}
          format={(value) => formatNumber(value)}
        />
        <BarChart
          title="Latency per route"
          series={['p50', 'p95', 'p99']}
          rows={routes.map((route) => ({ label: label(route), values: [route.p50 ?? 0, route.p95 ?? 0, route.p99 ?? 0] }))}
          format={(value) => formatSeconds(value)}
        />
        <BarChart
          title="Answer cache lookups by result"
          series={['lookups']}
          rows={Object.entries(summary.cacheLookups).map(([result, count]) => ({ label: result.replace(/_/g, ' '), values: [count] }))}
          format={(value) => formatNumber(value)}
        />
        <BarChart
          title="Refusals (too little evidence) by reason"
          series={['searches']}
          rows={Object.entries(summary.refusals).map(([reason, count]) => ({ label: reason.replace(/_/g, ' '), values: [count] }))}
          format={(value) => formatNumber(value)}
        />
      </div>
    </>
  );
}

const BAR_HEIGHT = 14;
const LABEL_WIDTH = 260;
const PLOT_WIDTH = 320;

/** Horizontal grouped bars in SVG, with the numbers as text too (and a table for screen readers). */
function BarChart({ title, series, rows, format }: { title: string; series: string[]; rows: BarRow[]; format: (value: number) => string }) {
  const max = Math.max(0, ...rows.flatMap((row) => row.values));
  const groupHeight = series.length * BAR_HEIGHT + 10;
  const height = Math.max(1, rows.length) * groupHeight + 24;
  return (
    <figure class="chart">
      <figcaption>
        {title}
        {series.length > 1 && (
          <span class="legend" aria-hidden="true">
            {series.map((name, index) => (
              <span key={name} class={`key ${SERIES_CLASSES[index]}`}>
                {name}
              </span>
            ))}
          </span>
        )}
      </figcaption>
      {rows.length === 0 ? (
        <p>Nothing counted yet.</p>
      ) : (
        <svg viewBox={`0 0 ${LABEL_WIDTH + PLOT_WIDTH + 90} ${height}`} aria-hidden="true">
          {rows.map((row, rowIndex) => (
            <g key={row.label} transform={`translate(0 ${rowIndex * groupHeight + 4})`}>
              <text x={LABEL_WIDTH - 8} y={(series.length * BAR_HEIGHT) / 2 + 4} text-anchor="end" class="label">
                {row.label.length > 40 ? `${row.label.slice(0, 39)}…` : row.label}
              </text>
              {row.values.map((value, index) => {
                const width = max === 0 ? 0 : (value / max) * PLOT_WIDTH;
                return (
                  <g key={series[index]} transform={`translate(${LABEL_WIDTH} ${index * BAR_HEIGHT})`}>
                    <rect width={Math.max(width, value > 0 ? 1 : 0)} height={BAR_HEIGHT - 2} class={`bar ${SERIES_CLASSES[index]}`} />
                    <text x={width + 4} y={BAR_HEIGHT - 4} class="value">
                      {format(value)}
                    </text>
                  </g>
                );
              })}
            </g>
          ))}
        </svg>
      )}
      <table class="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            {series.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              {row.values.map((value, index) => (
                <td key={series[index]}>{format(value)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
