/**
 * Writes that finish after their caller has moved on, by the keys they write. A reader
 * of a key first waits for the write in flight on it, so a process always reads what it
 * has just written; other processes may miss it for the few milliseconds it takes.
 */
export class WritesInFlight {
  private readonly byKey = new Map<string, Promise<void>>();
  private readonly all = new Set<Promise<void>>();

  /** Tracks a write under the keys it writes; returns it as given (a rejection reaches its caller, not its readers). */
  track(keys: string[], write: Promise<void>): Promise<void> {
    this.all.add(write);
    for (const key of keys) this.byKey.set(key, write);
    const done = (): void => {
      this.all.delete(write);
      for (const key of keys) if (this.byKey.get(key) === write) this.byKey.delete(key);
    };
    write.then(done, done);
    return write;
  }

  /** The writes in flight on any of these keys, or undefined when there are none. */
  pendingOn(keys: string[]): Promise<void> | undefined {
    if (this.byKey.size === 0) return undefined;
    const pending = keys.flatMap((key) => this.byKey.get(key) ?? []);
    return pending.length === 0 ? undefined : Promise.allSettled(pending).then(() => undefined);
  }

  /** Resolves once every write in flight now has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.all]);
  }
}
