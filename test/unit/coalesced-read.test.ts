import { describe, expect, it } from 'vitest';
import { CoalescedRead } from '../../src/lib/coalesced-read.js';

/** A read whose calls are counted and finished by hand. */
function manualRead() {
  const pending: ((value: number) => void)[] = [];
  let calls = 0;
  const read = new CoalescedRead(
    () =>
      new Promise<number>((resolve) => {
        calls += 1;
        pending.push(resolve);
      }),
  );
  return { read, calls: () => calls, finish: (value: number) => pending.shift()!(value) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescedRead', () => {
  it('when callers ask during a read, then they share the one next read, never the one already running', async () => {
    const { read, calls, finish } = manualRead();
    const first = read.get();
    const second = read.get();
    const third = read.get();
    expect(calls()).toBe(1);

    finish(1);
    expect(await first).toBe(1);
    await tick();
    expect(calls()).toBe(2);
    finish(2);

    expect(await second).toBe(2);
    expect(await third).toBe(2);
  });

  it('when nobody is reading, then a caller starts its own read at once', async () => {
    const { read, calls, finish } = manualRead();
    const first = read.get();
    finish(1);
    await first;

    const later = read.get();
    expect(calls()).toBe(2);
    finish(5);
    expect(await later).toBe(5);
  });

  it('when a read fails, then its callers get the error and the next caller reads again', async () => {
    let attempt = 0;
    const read = new CoalescedRead(() => (++attempt === 1 ? Promise.reject(new Error('down')) : Promise.resolve(attempt)));
    await expect(read.get()).rejects.toThrow('down');
    expect(await read.get()).toBe(2);
  });
});
