export const METRIC_PREFIX = 'llm_assistant_';

/**
 * The value of one series of a Prometheus text exposition, 0 when absent: the first
 * series of `name` (without the prefix) whose labels include `labels`.
 */
export function seriesValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = exposition.split('\n').find((row) => {
    if (!row.startsWith(`${METRIC_PREFIX}${name}{`) && !row.startsWith(`${METRIC_PREFIX}${name} `)) return false;
    const labelText = row.slice(0, row.lastIndexOf(' '));
    return wanted.every((pair) => labelText.includes(pair));
  });
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
