// The pool both services run CPU-bound work on (inference sessions, featurizer code metrics):
// answers matched to calls, keyed calls in order on one worker, failures as rejections, a dead
// worker's calls failed and the worker started again.
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/worker.ts';
import type { PoolTestInit, PoolTestReply, PoolTestRequest } from '../fixtures/pool-worker.ts';

const ENTRY = new URL('../fixtures/pool-worker.ts', import.meta.url);
type Pool = WorkerPool<PoolTestInit, PoolTestRequest, PoolTestReply>;
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
async function start(size: number, init: PoolTestInit = {}): Promise<Pool> {
  const pool = await WorkerPool.start<PoolTestInit, PoolTestRequest, PoolTestReply>({
    entry: ENTRY,
    size,
    init,
    what: 'test worker',
  });
  pools.push(pool);
  return pool;
}

describe('WorkerPool', () => {
  it('sends a slot’s calls to one worker, in order, and spreads slots over the workers', async () => {
    const pool = await start(2);
    const calls = Array.from({ length: 40 }, (_, i) => pool.call({ op: 'count', key: `k${i % 4}` }, { slot: i % 4 }));
    const replies = await Promise.all(calls);
    const threadOf = new Map<number, Set<number>>();
    replies.forEach((r, i) => {
      // The i-th call of key k is the (i div 4)-th that its worker saw for k: no reordering.
      expect(r.seen).toBe(Math.floor(i / 4));
      threadOf.set(i % 4, (threadOf.get(i % 4) ?? new Set()).add(r.thread));
    });
    for (const threads of threadOf.values()) expect(threads.size).toBe(1);
    expect(new Set(replies.map((r) => r.thread)).size).toBe(2);
  });

  it('gives an unkeyed call to the least busy worker', async () => {
    const pool = await start(2);
    const slow = pool.call({ op: 'wait', ms: 300 });
    const quick: PoolTestReply[] = [];
    // One at a time: each finds the idle worker back at zero calls in flight.
    for (let i = 0; i < 3; i++) quick.push(await pool.call({ op: 'wait', ms: 1 }));
    // Two at once: the second goes where the first did not.
    const pair = await Promise.all([pool.call({ op: 'wait', ms: 1 }), pool.call({ op: 'wait', ms: 1 })]);
    const busy = (await slow).thread;
    for (const r of quick) expect(r.thread).not.toBe(busy);
    expect(new Set(pair.map((r) => r.thread)).size).toBe(2);
  });

  it('rejects a call whose handler throws or rejects, with its message, and keeps serving', async () => {
    const pool = await start(1);
    await expect(pool.call({ op: 'fail', message: 'bad input: x' })).rejects.toThrow('test worker: bad input: x');
    await expect(pool.call({ op: 'reject', message: 'later: y' })).rejects.toThrow('test worker: later: y');
    expect((await pool.call({ op: 'count', key: 'a' })).seen).toBe(0);
  });

  it('maps any integer slot, negative or beyond the pool, to one worker', async () => {
    const pool = await start(3);
    const threadsOf = async (slots: number[]) =>
      new Set(
        await Promise.all(slots.map(async (slot) => (await pool.call({ op: 'count', key: 'x' }, { slot })).thread)),
      );
    // -1, 2 and 5 are the same slot of three; 0.5 is slot 0.
    expect((await threadsOf([-1, 2, 5])).size).toBe(1);
    expect((await threadsOf([0, 0.5, 3, -3])).size).toBe(1);
  });

  it('refuses a request or an answer that cannot be cloned, for that call only', async () => {
    const pool = await start(2);
    const first = await pool.call({ op: 'count', key: 'a' }, { slot: 0 });
    const unclonable = { op: 'count', key: () => 'k' } as unknown as PoolTestRequest;
    await expect(pool.call(unclonable)).rejects.toThrow(/could not be cloned/);
    // Nothing stays counted in flight on slot 0 (the least busy pick): the next unkeyed call
    // goes there again rather than to slot 1.
    expect((await pool.call({ op: 'wait', ms: 1 })).thread).toBe(first.thread);
    await expect(pool.call({ op: 'uncloneable' }, { slot: 0 })).rejects.toThrow(
      /test worker: the answer could not be sent back: .*could not be cloned/,
    );
    // The same worker, not a restarted one, answers next.
    const after = await pool.call({ op: 'count', key: 'a' }, { slot: 0 });
    expect([after.thread, after.seen]).toEqual([first.thread, 1]);
  });

  it('moves transferred buffers both ways', async () => {
    const pool = await start(1);
    const bytes = Uint8Array.from([1, 2, 3, 250]);
    const reply = await pool.call({ op: 'sum', bytes }, { transfer: [bytes.buffer] });
    expect(bytes.byteLength).toBe(0); // moved, not copied
    expect(reply.sum).toBe(256);
    expect([...reply.bytes!]).toEqual([1, 2, 3, 250]);
  });

  it('fails the calls in flight on a worker that exits, and starts it again for the next call', async () => {
    const pool = await start(1);
    const first = (await pool.call({ op: 'count', key: 'a' })).thread;
    const waiting = pool.call({ op: 'wait', ms: 5_000 });
    const exiting = pool.call({ op: 'exit', code: 7 });
    await expect(exiting).rejects.toThrow('test worker exited with code 7');
    await expect(waiting).rejects.toThrow('test worker exited with code 7');
    const again = await pool.call({ op: 'count', key: 'a' });
    expect(again.thread).not.toBe(first);
    expect(again.seen).toBe(0); // a fresh worker: its state starts over
  });

  it('refuses to start when a setup fails or exits, naming why', async () => {
    await expect(start(2, { failSetup: 'grammar missing' })).rejects.toThrow(
      'test worker failed to set up: grammar missing',
    );
    await expect(start(1, { exitSetup: 3 })).rejects.toThrow('test worker exited with code 3 while setting up');
    await expect(start(0)).rejects.toThrow('a test worker pool needs at least one worker, got 0');
  });

  it('refuses calls after close', async () => {
    const pool = await start(1);
    const waiting = pool.call({ op: 'wait', ms: 5_000 });
    await pool.close();
    await expect(waiting).rejects.toThrow(/test worker exited/);
    await expect(pool.call({ op: 'count', key: 'a' })).rejects.toThrow('test worker pool closed');
  });
});
