// Dynamic batching in the manner of Triton's dynamic batcher
// (https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/user_guide/model_configuration.html#dynamic-batcher):
// requests queue per model version; a batch is sent when it reaches the max batch size or a
// preferred size, or when the oldest request has waited the max queue delay. The queue is
// bounded in rows and sheds load (RESOURCE_EXHAUSTED) rather than letting latency grow without
// bound; requests whose deadline passed or whose caller went away are dropped before compute.
// Pure: time comes from a Scheduler, so tests drive it with a fake clock.
import { DeadlineExceededError, ResourceExhaustedError } from '@omen/errors';

/** Time in microseconds and one-shot timers; the real one is in ../adapters/scheduler.ts. */
export interface Scheduler {
  /** Monotonic time, µs. */
  now(): number;
  /** Runs `fn` once after about `delayUs` µs; returns a cancel function. */
  schedule(fn: () => void, delayUs: number): () => void;
}

export interface BatcherOptions {
  /** Most rows combined into one batch. A single request with more rows runs alone. */
  maxBatchSize: number;
  /** Longest a request waits for its batch to fill, µs; 0 sends whatever is queued at once. */
  maxQueueDelayUs: number;
  /** Batch sizes (rows) sent as soon as they can be formed, without waiting for the delay. @default [] */
  preferredBatchSizes?: readonly number[];
  /** Most rows waiting (not counting batches already running); beyond it submit is refused. */
  maxQueueRows: number;
  /** Batches computing at once. @default 1 */
  maxConcurrentBatches?: number;
}

export interface SubmitOptions {
  /** Rows this request contributes to a batch. @default 1 */
  rows?: number;
  /** Absolute deadline on the scheduler's clock (µs); an expired request is dropped, not computed. */
  deadlineUs?: number;
  /** Aborting removes a still-queued request, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/** What the batcher reports for every batch it sends (for metrics). */
export interface BatchEvent {
  rows: number;
  requests: number;
  /** How long each request of the batch waited in the queue, µs. */
  queueDelaysUs: number[];
  /** Why the batch left: full, a preferred size, the delay ran out, or no delay configured. */
  trigger: 'max' | 'preferred' | 'delay' | 'immediate';
}

export type ExecuteBatch<I, O> = (inputs: I[]) => Promise<O[]>;

interface Pending<I, O> {
  input: I;
  rows: number;
  enqueuedUs: number;
  deadlineUs: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/** An abort reason as an Error (AbortSignal reasons may be anything). */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function checkOptions(o: BatcherOptions): void {
  const bad = (key: string, bound: string, v: unknown) =>
    new RangeError(`batcher ${key} must be ${bound}; got ${String(v)}`);
  if (!Number.isInteger(o.maxBatchSize) || o.maxBatchSize < 1)
    throw bad('maxBatchSize', 'an integer >= 1', o.maxBatchSize);
  if (!Number.isFinite(o.maxQueueDelayUs) || o.maxQueueDelayUs < 0)
    throw bad('maxQueueDelayUs', 'a number >= 0', o.maxQueueDelayUs);
  if (!Number.isInteger(o.maxQueueRows) || o.maxQueueRows < 1)
    throw bad('maxQueueRows', 'an integer >= 1', o.maxQueueRows);
  const c = o.maxConcurrentBatches ?? 1;
  if (!Number.isInteger(c) || c < 1) throw bad('maxConcurrentBatches', 'an integer >= 1', c);
  for (const p of o.preferredBatchSizes ?? []) {
    if (!Number.isInteger(p) || p < 1 || p > o.maxBatchSize)
      throw bad('preferredBatchSizes', `integers in 1..maxBatchSize (${o.maxBatchSize})`, p);
  }
}

export class DynamicBatcher<I, O> {
  readonly #o: Required<BatcherOptions>;
  readonly #preferred: ReadonlySet<number>;
  readonly #execute: ExecuteBatch<I, O>;
  readonly #clock: Scheduler;
  readonly #onBatch: ((event: BatchEvent) => void) | undefined;
  #queue: Pending<I, O>[] = [];
  #queuedRows = 0;
  #inflight = 0;
  #cancelTimer: (() => void) | undefined;
  #timerDueUs = Infinity;
  #closed: Error | undefined;
  #idleWaiters: (() => void)[] = [];
  /** Mean compute µs per row (EWMA), for the retry hint when shedding. */
  #usPerRow = 0;

  constructor(
    options: BatcherOptions,
    execute: ExecuteBatch<I, O>,
    clock: Scheduler,
    onBatch?: (event: BatchEvent) => void,
  ) {
    checkOptions(options);
    this.#o = { preferredBatchSizes: [], maxConcurrentBatches: 1, ...options };
    this.#preferred = new Set(this.#o.preferredBatchSizes);
    this.#execute = execute;
    this.#clock = clock;
    this.#onBatch = onBatch;
  }

  get queuedRows(): number {
    return this.#queuedRows;
  }

  get queuedRequests(): number {
    return this.#queue.length;
  }

  get inflightBatches(): number {
    return this.#inflight;
  }

  /** Queues one request; resolves with its output once its batch ran. */
  submit(input: I, options: SubmitOptions = {}): Promise<O> {
    const rows = options.rows ?? 1;
    if (this.#closed) return Promise.reject(this.#closed);
    if (!Number.isInteger(rows) || rows < 1)
      return Promise.reject(new RangeError(`rows must be an integer >= 1; got ${rows}`));
    if (options.signal?.aborted) return Promise.reject(asError(options.signal.reason));
    const now = this.#clock.now();
    if (options.deadlineUs !== undefined && options.deadlineUs <= now) {
      return Promise.reject(new DeadlineExceededError('the deadline passed before the request was queued'));
    }
    if (this.#queuedRows + rows > this.#o.maxQueueRows) {
      const drainUs = this.#usPerRow * this.#queuedRows + this.#o.maxQueueDelayUs;
      return Promise.reject(
        new ResourceExhaustedError(
          `inference queue is full (${this.#queuedRows} rows waiting, limit ${this.#o.maxQueueRows}); retry later`,
          {
            limit: 'max_queue_rows',
            retryAfterMs: Math.max(1, Math.ceil(drainUs / 1000)),
          },
        ),
      );
    }
    return new Promise<O>((resolve, reject) => {
      const item: Pending<I, O> = {
        input,
        rows,
        enqueuedUs: now,
        deadlineUs: options.deadlineUs ?? Infinity,
        signal: options.signal,
        onAbort: undefined,
        resolve,
        reject,
      };
      if (options.signal) {
        const signal = options.signal;
        item.onAbort = () => {
          const i = this.#queue.indexOf(item);
          if (i < 0) return; // already in a batch: its result is simply not awaited
          this.#queue.splice(i, 1);
          this.#queuedRows -= item.rows;
          reject(asError(signal.reason));
        };
        signal.addEventListener('abort', item.onAbort, { once: true });
      }
      this.#queue.push(item);
      this.#queuedRows += rows;
      this.#pump(false);
    });
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Refuses new requests and rejects queued ones with `reason`; running batches finish. */
  close(reason: Error = new Error('batcher closed')): void {
    this.#closed = reason;
    this.#cancel();
    const queued = this.#queue;
    this.#queue = [];
    this.#queuedRows = 0;
    for (const item of queued) this.#settle(item, () => item.reject(reason));
    this.#checkIdle();
  }

  #cancel(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerDueUs = Infinity;
  }

  #settle(item: Pending<I, O>, fn: () => void): void {
    if (item.signal && item.onAbort) item.signal.removeEventListener('abort', item.onAbort);
    fn();
  }

  /** Drops queued requests whose deadline has passed. */
  #expire(now: number): void {
    if (!this.#queue.some((it) => it.deadlineUs <= now)) return;
    const keep: Pending<I, O>[] = [];
    for (const it of this.#queue) {
      if (it.deadlineUs <= now) {
        this.#queuedRows -= it.rows;
        this.#settle(it, () =>
          it.reject(new DeadlineExceededError('the deadline passed while the request was queued')),
        );
      } else keep.push(it);
    }
    this.#queue = keep;
  }

  /**
   * How many queued requests (from the head) form the next batch, and why; 0 = wait.
   * Mirrors Triton: take requests in order up to the max batch size; send at once if that
   * reached the max (or a single request exceeds it), else the largest preferred size passed on
   * the way, else everything once the oldest has waited the delay (or `force`, the timer fired).
   */
  #plan(now: number, force: boolean): { count: number; trigger: BatchEvent['trigger'] } {
    const max = this.#o.maxBatchSize;
    const head = this.#queue[0];
    if (!head) return { count: 0, trigger: 'max' };
    if (head.rows >= max) return { count: 1, trigger: 'max' };
    let rows = 0;
    let count = 0;
    let preferredCount = 0;
    for (const it of this.#queue) {
      if (rows + it.rows > max) break;
      rows += it.rows;
      count++;
      if (this.#preferred.has(rows)) preferredCount = count;
    }
    if (rows === max || count < this.#queue.length) return { count, trigger: 'max' };
    if (preferredCount === count) return { count, trigger: 'preferred' };
    if (this.#o.maxQueueDelayUs === 0) return { count, trigger: 'immediate' };
    if (force || now - head.enqueuedUs >= this.#o.maxQueueDelayUs) return { count, trigger: 'delay' };
    if (preferredCount > 0) return { count: preferredCount, trigger: 'preferred' };
    return { count: 0, trigger: 'delay' };
  }

  #pump(force: boolean): void {
    while (this.#inflight < this.#o.maxConcurrentBatches && this.#queue.length > 0) {
      const now = this.#clock.now();
      this.#expire(now);
      const { count, trigger } = this.#plan(now, force);
      if (count === 0) {
        const head = this.#queue[0];
        if (!head) break;
        const due = head.enqueuedUs + this.#o.maxQueueDelayUs;
        if (due < this.#timerDueUs) {
          this.#cancel();
          this.#timerDueUs = due;
          this.#cancelTimer = this.#clock.schedule(() => {
            this.#cancelTimer = undefined;
            this.#timerDueUs = Infinity;
            // The timer is the delay running out, whatever the clock's resolution made of it.
            this.#pump(true);
          }, due - now);
        }
        return;
      }
      force = false;
      const batch = this.#queue.splice(0, count);
      let rows = 0;
      for (const it of batch) {
        rows += it.rows;
        if (it.signal && it.onAbort) it.signal.removeEventListener('abort', it.onAbort);
      }
      this.#queuedRows -= rows;
      if (this.#queue.length === 0) this.#cancel();
      this.#onBatch?.({ rows, requests: batch.length, queueDelaysUs: batch.map((it) => now - it.enqueuedUs), trigger });
      this.#run(batch, rows);
    }
    this.#checkIdle();
  }

  #run(batch: Pending<I, O>[], rows: number): void {
    this.#inflight++;
    const started = this.#clock.now();
    let outputs: Promise<O[]>;
    try {
      outputs = this.#execute(batch.map((it) => it.input));
    } catch (err) {
      outputs = Promise.reject(asError(err));
    }
    outputs
      .then(
        (out) => {
          const us = (this.#clock.now() - started) / rows;
          this.#usPerRow = this.#usPerRow === 0 ? us : 0.8 * this.#usPerRow + 0.2 * us;
          if (out.length !== batch.length) {
            const err = new Error(`batch executor returned ${out.length} outputs for ${batch.length} requests`);
            for (const it of batch) it.reject(err);
            return;
          }
          batch.forEach((it, i) => it.resolve(out[i] as O));
        },
        (err: unknown) => {
          for (const it of batch) it.reject(err);
        },
      )
      .finally(() => {
        this.#inflight--;
        this.#pump(false);
      });
  }

  #checkIdle(): void {
    if (this.#queue.length > 0 || this.#inflight > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
