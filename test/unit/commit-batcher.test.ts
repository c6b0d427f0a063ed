import { describe, expect, it } from 'vitest';
import { CommitBatcher } from '../../src/lib/commit-batcher.js';

/** A write that records its batches and waits to be released, like a commit in flight. */
function controlledWrite(refuse: (item: string) => { code: string } | null = () => null) {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: string[]) => {
    batches.push(items);
    return new Promise<void>((resolve, reject) => {
      pending.push(() => {
        const refused = items.map(refuse).find(Boolean);
        if (refused) reject(Object.assign(new Error('refused'), refused));
        else resolve();
      });
    });
  };
  const releaseAll = async () => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { batches, write, releaseAll };
}

const outcome = (promise: Promise<void>) => promise.then(() => 'stored', (error: Error) => error.message);

describe('CommitBatcher', () => {
  it('when a row comes alone, then it is written at once', async () => {
    const { batches, write, releaseAll } = controlledWrite();
    const stored = new CommitBatcher(write).add('a');
    expect(batches).toEqual([['a']]);
    await releaseAll();
    await expect(stored).resolves.toBeUndefined();
  });

  it('when rows arrive during a write, then they share the next one, and each resolves only once its own write committed', async () => {
    const { batches, write, releaseAll } = controlledWrite();
    const batcher = new CommitBatcher(write);
    const first = batcher.add('a');
    let secondDone = false;
    const rest = ['b', 'c', 'd'].map((item) => batcher.add(item).then(() => (secondDone = true)));
    expect(batches).toEqual([['a']]);
    expect(secondDone).toBe(false);
    await releaseAll();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('when the database refuses one row (data exception or integrity violation), then its neighbours are stored and only it fails', async () => {
    for (const code of ['22021', '23505']) {
      const { write, releaseAll } = controlledWrite((item) => (item === 'bad' ? { code } : null));
      const batcher = new CommitBatcher(write);
      const first = batcher.add('first');
      const outcomes = Promise.all(['good', 'bad', 'also good'].map((item) => outcome(batcher.add(item))));
      await releaseAll();
      await first;
      await new Promise((resolve) => setImmediate(resolve));
      await releaseAll();
      expect(await outcomes).toEqual(['stored', 'refused', 'stored']);
    }
  });

  it('when a write fails for another reason (the database is down), then every row of that batch fails with it', async () => {
    const { write, releaseAll } = controlledWrite((item) => (item === 'x' ? null : { code: '57P01' }));
    const batcher = new CommitBatcher(write);
    const first = batcher.add('x');
    const outcomes = Promise.all(['a', 'b'].map((item) => outcome(batcher.add(item))));
    await releaseAll();
    await first;
    expect(await outcomes).toEqual(['refused', 'refused']);
  });

  it('when more rows wait than a batch holds, then they go in batches of that size', async () => {
    const { batches, write, releaseAll } = controlledWrite();
    const batcher = new CommitBatcher(write, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((item) => batcher.add(item));
    await releaseAll();
    await Promise.all(all);
    expect(batches).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });
});
