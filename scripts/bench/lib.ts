import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate, readMigrationFiles } from '../../src/db/migrations.js';
import { Prng } from '../../src/lib/prng.js';
import { EMBEDDING_DIMENSIONS } from '../../src/llm/embeddings/embedder.js';

/** What every benchmark is given by `npm run bench`. */
export interface BenchOptions {
  /** Rows, chunks or seconds, depending on the benchmark; each has its own default. */
  size: number | undefined;
  /** Server URL whose `postgres` database may create and drop the benchmark databases. */
  serverUrl: string;
  /** Seconds of load, for the HTTP benchmarks. */
  duration: number | undefined;
  /** Appointments per generated patient (records-sync); by default 1 to 6. */
  visits?: number;
  /** Progress lines go to stderr; with --json stdout holds only the result. */
  log: (line: string) => void;
}

/** One benchmark's result: a table for people, figures for machines. */
export interface BenchReport {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  /** Conditions and verdicts, printed under the table. */
  notes: string[];
  figures: Record<string, unknown>;
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCHMARKS_FILE = path.join(REPO_ROOT, 'docs/benchmarks.md');

/** The machine a figure was taken on; noisy neighbours show in the load average. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  postgres: string;
  pgvector: string;
  loadAverage: string;
}

export async function describeMachine(db: pg.Pool | pg.Client): Promise<Machine> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const { rows } = await db.query<{ server: string; vector: string | null }>(
    `SELECT current_setting('server_version') AS server,
            (SELECT coalesce(installed_version, default_version) FROM pg_available_extensions WHERE name = 'vector') AS vector`,
  );
  return {
    cpu,
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: rows[0]?.server ?? 'unknown',
    pgvector: rows[0]?.vector ?? 'none',
    loadAverage: os.loadavg().map((value) => value.toFixed(2)).join(' '),
  };
}

export function machineLine(machine: Machine): string {
  return (
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; Node ${machine.node}; ` +
    `PostgreSQL ${machine.postgres}, pgvector ${machine.pgvector}; load average at start ${machine.loadAverage}`
  );
}

/** A Markdown table: readable in a terminal and in docs/benchmarks.md alike. */
export function formatTable(columns: string[], rows: (string | number)[][]): string {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, i) => Math.max(3, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.slice(1).map(line)].join('\n');
}

/** Appends one run to docs/benchmarks.md: command, date, machine, table, notes. */
export async function appendToBenchmarks(command: string, machine: Machine, report: BenchReport): Promise<void> {
  await mkdir(path.dirname(BENCHMARKS_FILE), { recursive: true });
  const exists = await stat(BENCHMARKS_FILE).then(
    () => true,
    () => false,
  );
  const header = exists ? '' : '# Benchmarks\n\nRuns appended by `npm run bench` and `scripts/load-chat.ts`, newest last.\n';
  const section = [
    '',
    `### ${report.title} (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `\`${command}\`  `,
    `Machine: ${machineLine(machine)}`,
    '',
    formatTable(report.columns, report.rows),
    '',
    ...report.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
  await appendFile(BENCHMARKS_FILE, header + section);
}

/** Nearest-rank percentile of unsorted values (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** Milliseconds an async call takes. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/**
 * Peak resident memory of this process. The kernel's high-water mark (VmHWM) catches
 * peaks between samples; it can be reset (writing 5 to clear_refs) so that one phase
 * is measured on its own.
 */
export async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb ? round(Number(kb) / 1024, 1) : round(process.memoryUsage().rss / 2 ** 20, 1);
}

export async function resetPeakRss(): Promise<void> {
  await writeFile('/proc/self/clear_refs', '5').catch(() => undefined);
}

/**
 * A fresh, migrated database on the benchmark server (dropped first if it exists), and
 * a pool on it. Never the test databases: the name must start with `llm_bench`.
 */
export async function freshDatabase(
  serverUrl: string,
  name: string,
  poolMax = 4,
  /** Session settings every connection starts with (libpq `options`, e.g. `-c hnsw.ef_search=100`). */
  sessionOptions?: string,
): Promise<{ url: string; pool: pg.Pool }> {
  if (!/^llm_bench\w*$/.test(name)) throw new Error(`Refusing to recreate database "${name}": benchmark databases start with llm_bench`);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: poolMax, application_name: 'llm-bench', options: sessionOptions });
  await migrate(pool, await readMigrationFiles());
  return { url: url.toString(), pool };
}

/**
 * Synthetic embeddings shaped like real ones: unit vectors around a few hundred random
 * centres. Isotropic noise alone would not do: in 1536 dimensions it makes every member
 * of a cluster equally far from every other (no true nearest neighbours, so recall
 * measures nothing). Each cluster therefore spreads mostly along its own random
 * low-dimensional subspace, plus a little isotropic noise, as topics do in a real
 * embedding space. Every vector is a pure function of (seed, kind, index), so rows and
 * queries are regenerated on demand instead of held in memory.
 */
export class ClusteredVectors {
  private readonly centres: Float32Array[];
  private readonly bases: Float32Array[][];

  constructor(
    private readonly seed: number,
    readonly clusters = 300,
    readonly dims = EMBEDDING_DIMENSIONS,
    private readonly spreadDims = 16,
  ) {
    const prng = new Prng(seed, 0xc1, 0xc2, 0xc3);
    this.centres = Array.from({ length: clusters }, () => normalise(gaussianVector(prng, dims, 1)));
    this.bases = Array.from({ length: clusters }, () =>
      Array.from({ length: spreadDims }, () => gaussianVector(prng, dims, 1 / Math.sqrt(dims))),
    );
  }

  /** Row `index` (kind 'row') or query `index` (kind 'query'), and its cluster. */
  vector(kind: 'row' | 'query', index: number): { cluster: number; values: Float32Array } {
    const prng = new Prng(this.seed, kind === 'row' ? 1 : 2, index, 0x5eed);
    const cluster = prng.int(0, this.clusters - 1);
    // Centre weight 1, within-topic spread ~0.8, isotropic noise ~0.3 (vector norms).
    const values = gaussianVector(prng, this.dims, 0.3 / Math.sqrt(this.dims));
    const centre = this.centres[cluster]!;
    for (let d = 0; d < this.dims; d++) values[d]! += centre[d]!;
    for (const axis of this.bases[cluster]!) {
      const weight = gaussian(prng) * 0.2;
      for (let d = 0; d < this.dims; d++) values[d]! += weight * axis[d]!;
    }
    return { cluster, values: normalise(values) };
  }
}

/** One standard normal draw (Box-Muller, first value of the pair). */
function gaussian(prng: Prng): number {
  const u = 1 - prng.next(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * prng.next());
}

function gaussianVector(prng: Prng, dims: number, scale: number): Float32Array {
  const values = new Float32Array(dims);
  // Both values of each Box-Muller pair are used here: this is the hot loop.
  for (let d = 0; d < dims; d += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - prng.next())) * scale;
    const theta = 2 * Math.PI * prng.next();
    values[d] = r * Math.cos(theta);
    if (d + 1 < dims) values[d + 1] = r * Math.sin(theta);
  }
  return values;
}

function normalise(values: Float32Array): Float32Array {
  let norm = 0;
  for (let d = 0; d < values.length; d++) norm += values[d]! * values[d]!;
  const scale = 1 / Math.sqrt(norm);
  for (let d = 0; d < values.length; d++) values[d]! *= scale;
  return values;
}

const WORDS = (
  'patient dose blood pressure heart kidney liver lung cancer therapy symptom diagnosis treatment infection ' +
  'vaccine allergy asthma diabetes insulin glucose fever pain chronic acute clinic appointment follow prescription ' +
  'tablet daily weekly monitor test result imaging scan surgery recovery risk factor genetic inherited condition ' +
  'disorder syndrome nerve muscle bone joint skin rash cough breath sleep diet exercise weight child adult elderly'
).split(' ');

/** Chunk text of about `words` words, deterministic per index (for the full-text column). */
export function syntheticText(index: number, words = 80): string {
  const prng = new Prng(0x7e47, index, 3, 4);
  return Array.from({ length: words }, () => prng.pick(WORDS)).join(' ');
}

const MEDQUAD_DOCS = '/work/shared/datasets/medquad/docs';

/**
 * The first `size` MedQuAD documents (sorted paths, module folders kept) copied to a
 * temporary folder: benchmarks edit their copy, never the shared corpus.
 */
export async function copyCorpus(size: number | undefined): Promise<{ dir: string; files: string[] }> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'bench-medquad-')), 'docs');
  const all = (await readdir(MEDQUAD_DOCS, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(MEDQUAD_DOCS, path.join(entry.parentPath, entry.name)))
    .sort();
  const files = all.slice(0, size ?? all.length);
  if (files.length === all.length) await cp(MEDQUAD_DOCS, dir, { recursive: true });
  else for (const file of files) await cp(path.join(MEDQUAD_DOCS, file), path.join(dir, file));
  return { dir, files };
}
