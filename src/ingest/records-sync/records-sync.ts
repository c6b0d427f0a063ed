import type pg from 'pg';
import { beginBulkLoad, countStoredChunks, mergeLexicalPendingList, type BulkLoad } from '../index.repository.js';
import { ingestPatientRecords, removePatientRecords } from '../records-ingest.js';
import type { PatientRecord } from '../records/record.schemas.js';
import { BULK_LOAD_MAX_STORED_CHUNKS, BULK_LOAD_MIN_SOURCES, type IndexerDependencies, type IndexSummary } from '../source-indexer.js';
import { assemblePatient, type RowProblem } from './patient-assembly.js';
import { PlatformRecordsRepository, type ChangedPatient, type PatientDigest } from './platform-records.repository.js';
import { SyncStateRepository, tryAdvisoryLock } from './sync-state.repository.js';

/** Any constant works; it only has to be the same for every replica (and differ from the migrator's). */
const RECORDS_SYNC_LOCK_KEY = 7_241_903_120;
/** Problems kept in a run's report (all are counted and logged). */
const REPORTED_PROBLEMS = 20;
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

export interface RecordsSyncDependencies {
  /** The index (llm_assistant): written through the ingester, with the sync's state. */
  indexer: IndexerDependencies;
  /** Where the platform's tables are read (RECORDS_DATABASE_URL, or the service's database). */
  platform: pg.Pool;
}

export interface RecordsSyncOptions {
  /** Seconds before the watermark a run reads from again, for transactions that commit late. */
  overlapSeconds: number;
  /** Patients read, indexed and committed together (one index transaction). */
  batchPatients: number;
  /** Synced patients compared per query when looking for deleted rows. */
  sweepBatchPatients?: number;
  /** When a first sync is one bulk load (tests lower these); by default the documentation ingest's rule. */
  bulkFirstSync?: BulkFirstSyncRule;
  signal?: AbortSignal;
}

/**
 * A first sync of at least `minPatients` platform patients into an index of fewer than
 * `maxStoredChunks` chunks is one bulk load. A patient is several parts (sources), so
 * the documentation ingest's source threshold, taken as patients, is on the safe side.
 */
export interface BulkFirstSyncRule {
  minPatients: number;
  maxStoredChunks: number;
}

const DEFAULT_BULK_FIRST_SYNC: BulkFirstSyncRule = { minPatients: BULK_LOAD_MIN_SOURCES, maxStoredChunks: BULK_LOAD_MAX_STORED_CHUNKS };

export interface RecordsSyncReport {
  outcome: 'succeeded' | 'failed' | 'locked';
  /** A bulk first sync: the whole run in one transaction, the HNSW index built once at its end. */
  bulk: boolean;
  startedAt: string;
  finishedAt: string;
  ms: number;
  /** Patients with a change since the watermark (overlap included). */
  patientsChanged: number;
  /** Synced patients whose rows were deleted in part (found by the sweep). */
  patientsWithDeletions: number;
  patientsIndexed: number;
  /** Patients whose parts left the index (deleted, or no doctor left to see them). */
  patientsRemoved: number;
  /** Platform rows read (row loads, change lists, digests). */
  rowsRead: number;
  embeddingCalls: number;
  documents: IndexSummary['documents'];
  /** Rows reported and skipped. */
  problemCount: number;
  problems: RowProblem[];
  /** Why the run failed, when it did. */
  error?: string;
}

/**
 * One run of the records sync: patients changed since the watermark (minus the overlap
 * window) are read whole from the platform and re-indexed through the same path as a
 * push, a batch at a time, each batch in one transaction; the watermark moves past a
 * batch only once it has committed, so a run stopped at any point loses nothing and a
 * re-run writes nothing twice. Then synced patients are compared with the platform by
 * their row ids, in bounded batches, to find deleted rows and patients. Who may see a
 * patient is the providers of their appointments plus their explicit shares: a doctor
 * removed there loses access at this run, and the cached answers citing the patient's
 * parts are dropped with them (the sources trigger, sql/functions/drop_cached_answers.sql).
 * A first sync into a small index is instead one bulk load (RecordsSyncRun.run), whole or nothing.
 * A failed run is reported (outcome "failed", with its error), not thrown.
 */
export async function runRecordsSync(deps: RecordsSyncDependencies, options: RecordsSyncOptions): Promise<RecordsSyncReport> {
  const started = performance.now();
  const report: RecordsSyncReport = {
    outcome: 'succeeded',
    bulk: false,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    ms: 0,
    patientsChanged: 0,
    patientsWithDeletions: 0,
    patientsIndexed: 0,
    patientsRemoved: 0,
    rowsRead: 0,
    embeddingCalls: 0,
    documents: { added: 0, updated: 0, unchanged: 0, deleted: 0 },
    problemCount: 0,
    problems: [],
  };
  const finish = () => {
    report.ms = Math.round(performance.now() - started);
    report.finishedAt = new Date().toISOString();
    return report;
  };
  const release = await tryAdvisoryLock(deps.indexer.pool, RECORDS_SYNC_LOCK_KEY);
  if (!release) {
    report.outcome = 'locked';
    return finish();
  }
  const state = new SyncStateRepository(deps.indexer.pool);
  try {
    await new RecordsSyncRun(deps, options, state, report).run();
  } catch (error) {
    // What committed stays, and the watermark stands after it: the next run goes on from there.
    report.outcome = 'failed';
    report.error = error instanceof Error ? error.message : String(error);
    deps.indexer.logger.error({ err: error }, 'records sync failed');
  } finally {
    await state.saveRun(finish()).catch((error: unknown) => deps.indexer.logger.warn({ err: error }, 'records sync: could not save the run'));
    await release();
  }
  return report;
}

class RecordsSyncRun {
  private readonly platform: PlatformRecordsRepository;
  /** The bulk first sync's transaction: every write of the run (index and sync state) goes in it. */
  private transaction: pg.PoolClient | undefined;

  constructor(
    private readonly deps: RecordsSyncDependencies,
    private readonly options: RecordsSyncOptions,
    private state: SyncStateRepository,
    private readonly report: RecordsSyncReport,
  ) {
    this.platform = new PlatformRecordsRepository(deps.platform);
  }

  /**
   * The one place the two write paths part: a bulk first sync writes the run below in one
   * transaction, digests and watermark included, so a run stopped half-way leaves nothing
   * and the next starts the first sync again; otherwise a transaction per batch.
   */
  async run(): Promise<void> {
    const bulk = await this.startBulkFirstSync();
    if (!bulk) {
      await this.syncChangedAndDeleted();
      return;
    }
    this.report.bulk = true;
    this.transaction = bulk.client;
    this.state = new SyncStateRepository(bulk.client);
    try {
      await this.syncChangedAndDeleted();
      this.deps.indexer.logger.info({ patients: this.report.patientsIndexed }, 'records sync: bulk first sync written, building the HNSW index');
      await bulk.commit();
    } catch (error) {
      await bulk.abandon();
      // Rolled back: none of it reached the index (what was read and embedded still counts).
      Object.assign(this.report, { patientsIndexed: 0, patientsRemoved: 0, documents: { added: 0, updated: 0, unchanged: 0, deleted: 0 } });
      throw error;
    }
    await mergeLexicalPendingList(this.deps.indexer.pool);
  }

  private async syncChangedAndDeleted(): Promise<void> {
    await this.syncChanged();
    await this.sweepDeletions();
  }

  /**
   * A bulk load when nothing was ever synced (no watermark, no patient), the platform has
   * many patients and the index is small; null (batch by batch) otherwise, or when the
   * load cannot start (no HNSW index, the table stayed busy).
   */
  private async startBulkFirstSync(): Promise<BulkLoad | null> {
    const rule = this.options.bulkFirstSync ?? DEFAULT_BULK_FIRST_SYNC;
    const pool = this.deps.indexer.pool;
    // The load holds a connection for the whole run beside the lock's, and the platform's
    // reads need one more when they share the pool (the embedded database has one in all).
    if (pool.options.max < (this.deps.platform === pool ? 3 : 2)) return null;
    if ((await this.state.watermark()) !== null || (await this.state.patientsPage(FIRST_UUID, 1)).length > 0) return null;
    const patients = await this.platform.countPatients(rule.minPatients);
    if (patients < rule.minPatients) return null;
    if ((await countStoredChunks(pool, rule.maxStoredChunks)) >= rule.maxStoredChunks) return null;
    const bulk = await beginBulkLoad(pool);
    this.deps.indexer.logger.info({ bulk: bulk !== null }, 'records sync: first sync');
    return bulk;
  }

  /**
   * Changed patients in order of their latest change, a page (= a batch) at a time.
   * After each batch the watermark moves to its latest change; once every page is done,
   * to the platform's clock when the run began: everything committed before then has
   * been read, so the next run reads again only the overlap window before it, not the
   * window before the last change (which, on a quiet platform, would be read every run).
   */
  private async syncChanged(): Promise<void> {
    const watermark = await this.state.watermark();
    const since = watermark === null ? null : new Date(Date.parse(watermark) - this.options.overlapSeconds * 1000).toISOString();
    const startedAt = await this.platform.now();
    let after: ChangedPatient | null = null;
    for (;;) {
      this.options.signal?.throwIfAborted();
      const page: ChangedPatient[] = await this.platform.changedPatients(since, after, this.options.batchPatients);
      this.report.rowsRead += page.length;
      if (page.length === 0) break;
      this.report.patientsChanged += page.length;
      await this.syncPatients(page.map((patient) => patient.patientId));
      after = page.at(-1)!;
      await this.state.advanceWatermark(after.changedAt);
    }
    await this.state.advanceWatermark(startedAt);
  }

  /**
   * Synced patients compared with the platform by the digest of their row ids: a patient
   * gone is removed, one with a row gone is indexed again.
   */
  private async sweepDeletions(): Promise<void> {
    const size = this.options.sweepBatchPatients ?? 1_000;
    let afterId = FIRST_UUID;
    for (;;) {
      this.options.signal?.throwIfAborted();
      const page = await this.state.patientsPage(afterId, size);
      if (page.length === 0) return;
      const current = await this.platform.digests(page.map((patient) => patient.patientId));
      this.report.rowsRead += current.size;
      const changed = page.filter((patient) => current.get(patient.patientId)?.digest !== patient.digest || !current.get(patient.patientId)?.present);
      this.report.patientsWithDeletions += changed.length;
      for (let start = 0; start < changed.length; start += this.options.batchPatients) {
        await this.syncPatients(changed.slice(start, start + this.options.batchPatients).map((patient) => patient.patientId));
      }
      afterId = page.at(-1)!.patientId;
    }
  }

  /** Reads these patients whole, indexes them in one transaction, then records their digests. */
  private async syncPatients(patientIds: string[]): Promise<void> {
    const read = await this.platform.readPatients(patientIds);
    this.report.rowsRead += read.rowsRead;
    const records: PatientRecord[] = [];
    const removed: string[] = [];
    const synced = new Map<string, PatientDigest>();
    for (const patientId of patientIds) {
      const digest = read.digests.get(patientId);
      if (!digest?.present) {
        removed.push(patientId);
        continue;
      }
      const assembly = assemblePatient(read.rows.get(patientId)!);
      this.problems(assembly.problems);
      // A broken patient row keeps what was indexed; its digest is kept so the sweep does not retry it every run.
      synced.set(patientId, digest);
      if (assembly.kind === 'record') records.push(assembly.record);
      else if (assembly.kind === 'no_doctor') removed.push(patientId);
    }
    if (records.length > 0) {
      const summary = await ingestPatientRecords(this.deps.indexer, records, { atomic: true, signal: this.options.signal, transaction: this.transaction });
      this.count(summary);
      this.report.patientsIndexed += records.length;
    }
    if (removed.length > 0) {
      this.count(await removePatientRecords(this.deps.indexer, removed, { transaction: this.transaction }));
      this.report.patientsRemoved += removed.length;
    }
    await this.state.recordPatients(synced);
    await this.state.forgetPatients(removed.filter((patientId) => !synced.has(patientId)));
  }

  private count(summary: IndexSummary): void {
    this.report.embeddingCalls += summary.embeddingCalls;
    for (const key of ['added', 'updated', 'unchanged', 'deleted'] as const) this.report.documents[key] += summary.documents[key];
  }

  private problems(problems: RowProblem[]): void {
    for (const problem of problems) {
      this.deps.indexer.logger.warn({ table: problem.table, id: problem.id, problem: problem.message }, 'records sync: row skipped');
      this.report.problemCount += 1;
      if (this.report.problems.length < REPORTED_PROBLEMS) this.report.problems.push(problem);
    }
  }
}
