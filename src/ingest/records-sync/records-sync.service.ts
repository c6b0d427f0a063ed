import type pg from 'pg';
import type { Config } from '../../config.js';
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
  ) {
    this.state = new SyncStateRepository(indexer.pool);
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
    ).finally(() => {
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
