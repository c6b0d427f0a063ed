interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

// SQLSTATE classes of a row the database refuses: a data exception (22), an integrity violation (23).
const REFUSED_ROW_CLASSES = ['22', '23'];

/**
 * Groups the rows of concurrent requests into one write (group commit): one commit,
 * hence one WAL flush, for every request waiting at that moment. A lone request is
 * written at once; requests arriving during a write go into the next one. `write` must
 * commit its items atomically (one statement, or its own transaction). Each `add`
 * resolves only once the write holding its row has committed, so nothing acknowledged
 * is ever lost, and rejects with that write's error.
 */
export class CommitBatcher<T> {
  private queue: Pending<T>[] = [];
  private flushing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.write(batch.map((pending) => pending.item));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        // One bad row must not fail its neighbours: when the database refuses a row, each is retried alone.
        const code = (error as { code?: unknown }).code;
        if (batch.length > 1 && typeof code === 'string' && REFUSED_ROW_CLASSES.includes(code.slice(0, 2))) {
          await Promise.all(batch.map((pending) => this.write([pending.item]).then(pending.resolve, pending.reject)));
        } else {
          for (const pending of batch) pending.reject(error);
        }
      }
    }
    this.flushing = false;
  }
}
