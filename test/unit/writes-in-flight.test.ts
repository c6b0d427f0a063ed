import { describe, expect, it } from 'vitest';
import { WritesInFlight } from '../../src/lib/writes-in-flight.js';

/** A write finished by hand. */
function manualWrite() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { promise, finish, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WritesInFlight', () => {
  it('when a key is being written, then its reader waits for the write, and readers of other keys do not', async () => {
    const writes = new WritesInFlight();
    const write = manualWrite();
    void writes.track(['a', 'b'], write.promise);
    expect(writes.pendingOn(['c'])).toBeUndefined();

    let read = false;
    const reader = writes.pendingOn(['x', 'b'])!.then(() => (read = true));
    await tick();
    expect(read).toBe(false);
    write.finish();
    await reader;
    expect(read).toBe(true);
    expect(writes.pendingOn(['a', 'b'])).toBeUndefined();
  });

  it('when a write fails, then its caller sees the error and its readers and settled() go on', async () => {
    const writes = new WritesInFlight();
    const write = manualWrite();
    const tracked = writes.track(['a'], write.promise);
    const reader = writes.pendingOn(['a']);
    const settled = writes.settled();
    write.fail(new Error('store down'));

    await expect(tracked).rejects.toThrow('store down');
    await expect(reader).resolves.toBeUndefined();
    await expect(settled).resolves.toBeUndefined();
  });

  it('when settled() is awaited, then every write in flight has finished, whatever its keys', async () => {
    const writes = new WritesInFlight();
    const first = manualWrite();
    const second = manualWrite();
    const done: string[] = [];
    void writes.track(['a'], first.promise.then(() => void done.push('first')));
    void writes.track([], second.promise.then(() => void done.push('second')));

    const settled = writes.settled().then(() => done.length);
    second.finish();
    await tick();
    first.finish();
    expect(await settled).toBe(2);
  });
});
