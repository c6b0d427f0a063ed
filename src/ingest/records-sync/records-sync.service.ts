import type pg from 'pg';
import type { Config } from '../../config.js';
import type { Metrics } from '../../metrics.js';
import type { IndexerDependencies } from '../source-indexer.js';
import { runRecordsSync, type RecordsSyncReport } from './records-sync.js';
import { SyncStateRepository, type RecordsSyncStatus } from './sync-state.repository.js';

export interface RecordsSyncHealth extends RecordsSyncStatus {
  enabled: boolean;
  intervalSeconds: number;
  /** down: the last run failed, or no run has succeeded for five intervals. */
  status: 'up' | 'down' | 'disabled';
}

/**
 * The records sync inside the service: with RECORDS_SYNC=on, one run every interval
 * (the next one starts an interval after the last ended, so runs never overlap here;
 * the advisory lock keeps other replicas out); `runOnce` for the CLI and tests.
 */
export class RecordsSyncService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RecordsSyncReport> | undefined;
  private readonly stopping = new AbortController();
  private readonly state: SyncStateRepository;

  constructor(
    private readonly indexer: IndexerDependencies,
    private readonly platform: pg.Pool,
    private readonly config: Config['recordsSync'],
    private readonly metrics?: Metrics,
  ) {
    this.state = new SyncStateRepository(indexer.pool);
    metrics?.readRecordsSyncLag(async () => {
      const { lagSeconds } = await this.state.status();
      if (lagSeconds !== null) return lagSeconds;
      // None has succeeded yet: a sync that never does must still show as late.
      return config.enabled ? (Date.now() - metrics.startedAt) / 1000 : 0;
    });
  }

  /** Starts the periodic runs when enabled (the first one at once). */
  start(): void {
    if (this.config.enabled) this.schedule(0);
  }

  /** One run now (or the run already going on). */
  runOnce(signal?: AbortSignal): Promise<RecordsSyncReport> {
    this.running ??= runRecordsSync(
      { indexer: this.indexer, platform: this.platform },
      {
        overlapSeconds: this.config.overlapSeconds,
        batchPatients: this.config.batchPatients,
        signal: signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal,
      },
    )
      .then((report) => {
        this.count(report);
        return report;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async health(): Promise<RecordsSyncHealth> {
    const { enabled, intervalSeconds } = this.config;
    const status = await this.state.status();
    const stale = status.lagSeconds !== null && status.lagSeconds > 5 * intervalSeconds;
    const failed = status.lastRun?.outcome === 'failed';
    return { ...status, enabled, intervalSeconds, status: !enabled ? 'disabled' : failed || stale ? 'down' : 'up' };
  }

  /** Stops scheduling and aborts a run in progress (what it committed stays). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private count(report: RecordsSyncReport): void {
    if (!this.metrics) return;
    const { outcome } = report;
    this.metrics.recordsSyncRuns.inc({ outcome });
    if (outcome === 'locked') return;
    this.metrics.recordsSyncDuration.observe({ outcome }, report.ms / 1000);
    this.metrics.recordsSyncRowsRead.inc(report.rowsRead);
    this.metrics.recordsSyncPatients.inc({ change: 'indexed' }, report.patientsIndexed);
    this.metrics.recordsSyncPatients.inc({ change: 'removed' }, report.patientsRemoved);
    this.metrics.recordsSyncRowsSkipped.inc(report.problemCount);
  }

  private schedule(delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .then((report) => {
          if (report.outcome !== 'locked' && (report.patientsChanged > 0 || report.outcome === 'failed' || report.problemCount > 0)) {
            const { problems: _problems, ...counts } = report;
            this.indexer.logger.info(counts, 'records sync run');
          }
        })
        .catch((error: unknown) => this.indexer.logger.error({ err: error }, 'records sync run failed'))
        .finally(() => this.schedule(this.config.intervalSeconds * 1000));
    }, delayMs);
    // A pending run must not keep the process alive on its own.
    this.timer.unref();
  }
}
