import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, ResourceExhaustedError } from '@omen/errors';
import { DynamicBatcher, type BatchEvent, type BatcherOptions } from '../../src/domain/batcher.ts';
import { FakeScheduler, flushPromises } from '../helpers/fake-scheduler.ts';

interface Harness {
  clock: FakeScheduler;
  batcher: DynamicBatcher<number, number>;
  batches: number[][];
  events: BatchEvent[];
  /** Resolves the oldest running batch (outputs = inputs × 10). */
  finish(): Promise<void>;
}

/** A batcher whose executor records each batch and completes only when the test says so. */
function harness(options: Partial<BatcherOptions> = {}): Harness {
  const clock = new FakeScheduler();
  const batches: number[][] = [];
  const events: BatchEvent[] = [];
  const running: (() => void)[] = [];
  const batcher = new DynamicBatcher<number, number>(
    { maxBatchSize: 4, maxQueueDelayUs: 1000, maxQueueRows: 100, ...options },
    (inputs) => {
      batches.push(inputs);
      return new Promise((resolve) => running.push(() => resolve(inputs.map((v) => v * 10))));
    },
    clock,
    (e) => events.push(e),
  );
  return {
    clock,
    batcher,
    batches,
    events,
    async finish() {
      running.shift()?.();
      await flushPromises();
    },
  };
}

describe('DynamicBatcher', () => {
  it('waits up to the max queue delay for a batch to fill, then sends what it has', async () => {
    const h = harness();
    const a = h.batcher.submit(1);
    h.clock.advance(400);
    const b = h.batcher.submit(2);
    h.clock.advance(599);
    expect(h.batches).toEqual([]);
    h.clock.advance(1); // the oldest has now waited 1000 µs
    expect(h.batches).toEqual([[1, 2]]);
    expect(h.events[0]).toMatchObject({ rows: 2, requests: 2, trigger: 'delay', queueDelaysUs: [1000, 600] });
    await h.finish();
    await expect(a).resolves.toBe(10);
    await expect(b).resolves.toBe(20);
  });

  it('sends at once when the batch reaches the max size, and keeps the rest queued in order', async () => {
    const h = harness({ maxBatchSize: 3 });
    const results = [1, 2, 3, 4, 5].map((v) => h.batcher.submit(v));
    expect(h.batches).toEqual([[1, 2, 3]]);
    expect(h.events[0]?.trigger).toBe('max');
    expect(h.batcher.queuedRows).toBe(2);
    // One batch at a time: the remainder waits for the running one, then for its delay.
    await h.finish();
    expect(h.batches).toHaveLength(1);
    h.clock.advance(1000);
    expect(h.batches[1]).toEqual([4, 5]);
    await h.finish();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
  });

  it('sends a preferred batch size as soon as it forms', () => {
    const h = harness({ maxBatchSize: 8, preferredBatchSizes: [2] });
    void h.batcher.submit(1);
    expect(h.batches).toEqual([]);
    void h.batcher.submit(2);
    expect(h.batches).toEqual([[1, 2]]);
    expect(h.events[0]?.trigger).toBe('preferred');
  });

  it('with no delay configured, sends whatever is queued immediately', () => {
    const h = harness({ maxQueueDelayUs: 0 });
    void h.batcher.submit(7);
    expect(h.batches).toEqual([[7]]);
    expect(h.events[0]?.trigger).toBe('immediate');
  });

  it('counts rows, not requests, and runs a request larger than the max batch alone', () => {
    const h = harness({ maxBatchSize: 4 });
    void h.batcher.submit(1, { rows: 3 });
    void h.batcher.submit(2, { rows: 2 }); // 3 + 2 > 4: the first batch cannot grow, send it
    expect(h.batches).toEqual([[1]]);
    const h2 = harness({ maxBatchSize: 4 });
    void h2.batcher.submit(9, { rows: 10 });
    expect(h2.batches).toEqual([[9]]);
    expect(h2.events[0]).toMatchObject({ rows: 10, trigger: 'max' });
  });

  it('sheds load with RESOURCE_EXHAUSTED when the queue bound would be exceeded', async () => {
    const h = harness({ maxBatchSize: 2, maxQueueRows: 3 });
    void h.batcher.submit(1);
    void h.batcher.submit(2); // sent (max), running
    void h.batcher.submit(3);
    void h.batcher.submit(4);
    void h.batcher.submit(5); // 3 rows queued: at the bound
    const refused = h.batcher.submit(6);
    await expect(refused).rejects.toBeInstanceOf(ResourceExhaustedError);
    await expect(refused).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED', limit: 'max_queue_rows' });
    expect(h.batcher.queuedRows).toBe(3);
  });

  it('drops a request whose deadline passed while queued instead of computing it', async () => {
    const h = harness({ maxBatchSize: 2 });
    void h.batcher.submit(1);
    void h.batcher.submit(2); // running
    const late = h.batcher.submit(3, { deadlineUs: 500 });
    const onTime = h.batcher.submit(4, { deadlineUs: 5000 });
    h.clock.advance(600);
    await h.finish();
    await expect(late).rejects.toBeInstanceOf(DeadlineExceededError);
    h.clock.advance(1000);
    expect(h.batches[1]).toEqual([4]);
    await h.finish();
    await expect(onTime).resolves.toBe(40);
  });

  it('refuses a request whose deadline already passed', async () => {
    const h = harness();
    h.clock.advance(100);
    await expect(h.batcher.submit(1, { deadlineUs: 50 })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(h.batcher.queuedRows).toBe(0);
  });

  it('removes a queued request when its caller aborts', async () => {
    const h = harness();
    const controller = new AbortController();
    const gone = h.batcher.submit(1, { signal: controller.signal });
    void h.batcher.submit(2);
    controller.abort(new Error('caller went away'));
    await expect(gone).rejects.toThrow('caller went away');
    h.clock.advance(1000);
    expect(h.batches).toEqual([[2]]);
  });

  it('fails every request of a batch whose execution fails, and keeps serving', async () => {
    const clock = new FakeScheduler();
    let fail = true;
    const batcher = new DynamicBatcher<number, number>(
      { maxBatchSize: 2, maxQueueDelayUs: 0, maxQueueRows: 10 },
      (xs) => {
        if (fail) return Promise.reject(new Error('session.run failed'));
        return Promise.resolve(xs);
      },
      clock,
    );
    const a = batcher.submit(1);
    await expect(a).rejects.toThrow('session.run failed');
    fail = false;
    await expect(batcher.submit(2)).resolves.toBe(2);
  });

  it('rejects queued requests on close and resolves idle() when drained', async () => {
    const h = harness({ maxBatchSize: 1 });
    const running = h.batcher.submit(1);
    const queued = h.batcher.submit(2);
    h.batcher.close(new Error('shutting down'));
    await expect(queued).rejects.toThrow('shutting down');
    const idle = h.batcher.idle();
    await h.finish();
    await idle;
    await expect(running).resolves.toBe(10);
    await expect(h.batcher.submit(3)).rejects.toThrow('shutting down');
  });

  it('refuses nonsensical options, naming the key and the bound', () => {
    const clock = new FakeScheduler();
    const make = (o: Partial<BatcherOptions>) => () =>
      new DynamicBatcher(
        { maxBatchSize: 4, maxQueueDelayUs: 0, maxQueueRows: 10, ...o },
        (x) => Promise.resolve(x),
        clock,
      );
    expect(make({ maxBatchSize: 0 })).toThrow(/maxBatchSize must be an integer >= 1; got 0/);
    expect(make({ preferredBatchSizes: [8] })).toThrow(
      /preferredBatchSizes must be integers in 1..maxBatchSize \(4\); got 8/,
    );
    expect(make({ maxQueueDelayUs: -1 })).toThrow(/maxQueueDelayUs/);
  });
});
