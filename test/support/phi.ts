import { expect } from 'vitest';
import type { LogCapture } from './app.js';

/**
 * Fails when any of `names` (patient names, record phrases...) appears in the captured
 * logs, case-insensitively, and shows the offending lines. Also fails on empty logs, so
 * a test cannot pass by capturing nothing.
 */
export function expectNoPhiInLogs(logs: LogCapture, names: readonly string[]): void {
  expect(logs.lines.length, 'no log lines were captured').toBeGreaterThan(0);
  const leaks = names.flatMap((name) =>
    logs.lines.filter((line) => line.toLowerCase().includes(name.toLowerCase())).map((line) => `${name} in ${line.slice(0, 400)}`),
  );
  expect(leaks, 'patient data found in the logs').toEqual([]);
}
