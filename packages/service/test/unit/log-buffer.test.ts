import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogBuffer, type DropReason, type LogBufferOptions } from '../../src/log-buffer.ts';

interface Harness {
  buffer: LogBuffer<number>;
  /** Every write attempt: its items and the (fake) time it started. */
  attempts: { items: number[]; at: number }[];
  written: number[];
  dropped: Record<DropReason, number>;
  errors: { attempt: number; retryInMs: number | undefined }[];
  /** What the next writes do, in order; once used up, writes succeed at once. */
  script: ('ok' | 'fail' | 'reject' | 'hang')[];
  /** Settles the write left hanging by a 'hang' step. */
  settle(ok?: boolean): void;
}

function harness(options: Partial<LogBufferOptions<number>> = {}): Harness {
  const h: Harness = {
    attempts: [],
    written: [],
    dropped: { overflow: 0, rejected: 0, shutdown: 0 },
    errors: [],
    script: [],
    settle: () => undefined,
    buffer: undefined as unknown as LogBuffer<number>,
  };
  h.buffer = new LogBuffer<number>({
    write: (items) => {
      h.attempts.push({ items, at: Date.now() });
      const step = h.script.shift() ?? 'ok';
      if (step === 'fail') return Promise.reject(new Error('sink down'));
      if (step === 'reject') return Promise.reject(Object.assign(new Error('schema refuses'), { permanent: true }));
      if (step === 'hang') {
        return new Promise<void>((resolve, reject) => {
          h.settle = (ok = true) => {
            if (!ok) return reject(new Error('sink down'));
            h.written.push(...items);
            resolve();
          };
        });
      }
      h.written.push(...items);
      return Promise.resolve();
    },
    maxBuffered: 10,
    flushSize: 3,
    flushIntervalMs: 1000,
    retryMinMs: 100,
    retryMaxMs: 1000,
    retryable: (err) => !(err as { permanent?: boolean }).permanent,
    onDropped: (n, reason) => (h.dropped[reason] += n),
    onWriteError: (_err, info) => h.errors.push({ attempt: info.attempt, retryInMs: info.retryInMs }),
    // Upper end of the jitter: the delay is exactly retryMin·2^(attempt−1), capped.
    random: () => 1,
    ...options,
  });
  return h;
}

const push = (h: Harness, ...items: number[]) => items.forEach((i) => h.buffer.push(i));

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LogBuffer', () => {
  it('writes as soon as flushSize items wait, not before, and never inside push', async () => {
    const h = harness();
    push(h, 1, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.attempts).toHaveLength(0);
    push(h, 3);
    expect(h.attempts).toHaveLength(0); // the pushing request is answered first
    await vi.advanceTimersByTimeAsync(0);
    expect(h.attempts.map((a) => a.items)).toEqual([[1, 2, 3]]);
    expect(h.buffer.buffered).toBe(0);
  });

  it('writes a partial batch when the interval comes round', async () => {
    const h = harness();
    push(h, 1, 2);
    await vi.advanceTimersByTimeAsync(999);
    expect(h.attempts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.attempts.map((a) => a.items)).toEqual([[1, 2]]);
  });

  it('on the interval writes everything waiting, flushSize at a time, one write in flight', async () => {
    const h = harness();
    h.script = ['hang'];
    push(h, 1, 2, 3);
    await vi.advanceTimersByTimeAsync(0);
    push(h, 4, 5, 6, 7);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.attempts).toHaveLength(1); // the first write has not answered
    expect(h.buffer.buffered).toBe(7);
    h.settle();
    await vi.advanceTimersByTimeAsync(0);
    // The size trigger drains full batches only; the interval takes the rest.
    expect(h.attempts.map((a) => a.items)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.attempts.map((a) => a.items)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(h.written).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('items that arrive during an interval write wait for a full batch or the next interval', async () => {
    // A steady trickle must not turn the interval's pass into one small write per round trip.
    const h = harness();
    h.script = ['hang', 'hang'];
    push(h, 1, 2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.attempts.map((a) => a.items)).toEqual([[1, 2]]);
    push(h, 3, 4);
    h.settle();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.attempts.map((a) => a.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    push(h, 5, 6, 7, 8); // a full batch arrives while [3, 4] is being written
    h.settle();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.attempts.map((a) => a.items)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6, 7],
    ]);
    await vi.advanceTimersByTimeAsync(999);
    expect(h.attempts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.attempts.map((a) => a.items)).toEqual([[1, 2], [3, 4], [5, 6, 7], [8]]);
    expect(h.written).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('retries a failed batch, in order, after exponentially growing delays', async () => {
    const h = harness();
    h.script = ['fail', 'fail', 'fail', 'fail', 'fail'];
    push(h, 1, 2, 3);
    await vi.advanceTimersByTimeAsync(0);
    push(h, 4);
    await vi.advanceTimersByTimeAsync(5000);
    const starts = h.attempts.map((a) => a.at);
    // Five failures, then [1, 2, 3] goes through and [4] right after it.
    expect(starts.slice(1).map((t, i) => t - starts[i]!)).toEqual([100, 200, 400, 800, 1000, 0]); // capped at retryMaxMs
    expect(h.errors.map((e) => e.retryInMs)).toEqual([100, 200, 400, 800, 1000]);
    // Retries send the oldest first; the item that arrived meanwhile follows.
    expect(h.attempts.map((a) => a.items)).toEqual([...Array<number[]>(6).fill([1, 2, 3]), [4]]);
    expect(h.written).toEqual([1, 2, 3, 4]);
    expect(h.buffer.buffered).toBe(0);
    expect(h.dropped).toEqual({ overflow: 0, rejected: 0, shutdown: 0 });
    // Success resets the backoff.
    h.script = ['fail'];
    push(h, 5, 6, 7);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.errors.at(-1)).toEqual({ attempt: 1, retryInMs: 100 });
  });

  it('when full drops the oldest, counts it, and keeps the newest', async () => {
    const h = harness({ maxBuffered: 4, flushSize: 2 });
    h.script = ['fail'];
    push(h, 1, 2);
    await vi.advanceTimersByTimeAsync(0); // [1, 2] failed and went back in front
    push(h, 3, 4, 5, 6);
    expect(h.buffer.buffered).toBe(4);
    await vi.advanceTimersByTimeAsync(100); // the retry
    expect(h.dropped.overflow).toBe(2);
    expect(h.written).toEqual([3, 4, 5, 6]);
  });

  it('a failed batch that no longer fits loses its oldest items', async () => {
    const h = harness({ maxBuffered: 3, flushSize: 3 });
    h.script = ['hang'];
    push(h, 1, 2, 3);
    await vi.advanceTimersByTimeAsync(0);
    push(h, 4, 5); // in flight: 1, 2, 3; waiting: 4, 5
    expect(h.buffer.buffered).toBe(5);
    h.settle(false); // one slot is free for its three items
    await vi.advanceTimersByTimeAsync(0);
    expect(h.dropped.overflow).toBe(2);
    expect(h.buffer.buffered).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(h.attempts.map((a) => a.items)).toEqual([
      [1, 2, 3],
      [3, 4, 5],
    ]);
    expect(h.written).toEqual([3, 4, 5]);
  });

  it('drops a batch the sink refuses for good and goes on with the next', async () => {
    const h = harness();
    h.script = ['reject'];
    push(h, 1, 2, 3, 4, 5, 6);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.dropped.rejected).toBe(3);
    expect(h.errors).toEqual([{ attempt: 1, retryInMs: undefined }]);
    expect(h.written).toEqual([4, 5, 6]);
  });

  it('close writes what is left, then drops later pushes', async () => {
    const h = harness();
    push(h, 1, 2);
    const closed = h.buffer.close(5000);
    await vi.advanceTimersByTimeAsync(0);
    await closed;
    expect(h.written).toEqual([1, 2]);
    h.buffer.push(3);
    expect(h.dropped.shutdown).toBe(1);
    expect(h.buffer.buffered).toBe(0);
  });

  it('close keeps retrying until its deadline, then counts what is unwritten', async () => {
    const h = harness();
    h.script = Array<'fail'>(100).fill('fail');
    push(h, 1, 2);
    const closed = h.buffer.close(1000);
    await vi.advanceTimersByTimeAsync(1000);
    await closed;
    expect(h.attempts.length).toBeGreaterThan(2);
    expect(h.written).toEqual([]);
    expect(h.dropped.shutdown).toBe(2);
  });

  it('flush writes what waits now, past the interval and a pending backoff, and a failure keeps it queued', async () => {
    const h = harness();
    h.script.push('fail');
    push(h, 1, 2);
    await h.buffer.flush();
    expect(h.attempts.map((a) => a.items)).toEqual([[1, 2]]);
    expect(h.buffer.buffered).toBe(2);
    expect(h.errors).toEqual([{ attempt: 1, retryInMs: 100 }]);
    push(h, 4);
    await h.buffer.flush(); // the 100 ms backoff has not passed
    expect(h.attempts.map((a) => a.items)).toEqual([
      [1, 2],
      [1, 2, 4],
    ]);
    expect(h.written).toEqual([1, 2, 4]);
    expect(h.buffer.buffered).toBe(0);
  });

  it('refuses a flush size above the capacity', () => {
    expect(() => harness({ maxBuffered: 2, flushSize: 3 })).toThrow(
      /flushSize must be an integer in 1..maxBuffered \(2\); got 3/,
    );
  });
});
