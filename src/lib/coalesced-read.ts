/**
 * Shares one read among concurrent callers without serving anyone a stale value: a
 * caller gets the result of a read that started after it asked. While a read is in
 * flight, every newcomer waits for the one next read, so under load there are at most
 * two reads in flight however many callers there are.
 */
export class CoalescedRead<T> {
  private current: Promise<T> | null = null;
  private next: Promise<T> | null = null;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.current) return this.start();
    this.next ??= this.current.then(settled, settled).then(() => {
      this.next = null;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<T> {
    const read = this.read();
    this.current = read;
    const clear = () => {
      if (this.current === read) this.current = null;
    };
    void read.then(clear, clear);
    return read;
  }
}

function settled(): void {}
