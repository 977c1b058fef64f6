// A bounded in-process buffer between a hot path and a slow, fallible sink (inference's served
// predictions log, the ab-router's experiment events, every service's audit trail). push() is O(1) and never waits: the caller (a gRPC handler) must not feel
// Kafka or ClickHouse. Items leave in batches — when `flushSize` are waiting, and every
// `flushIntervalMs` for whatever is there — one write at a time. A failed write is put back
// at the front and retried after an exponential backoff; when the buffer is full the oldest
// item goes, so an outage costs the oldest records and never memory or latency.

import { backoffDelayMs } from './retry.ts';

export type DropReason = 'overflow' | 'rejected' | 'shutdown';

export interface LogBufferOptions<T> {
  /** Writes one batch; resolves once the sink has it. Must be idempotent: a batch may be written again after a failure. */
  write(items: T[]): Promise<void>;
  /** Most items waiting; beyond it the oldest is dropped. One batch (≤ flushSize) more may be in flight. */
  maxBuffered: number;
  /** Items per write; reaching it starts a write without waiting for the interval. */
  flushSize: number;
  flushIntervalMs: number;
  /** First retry delay; doubles per consecutive failure up to retryMaxMs (with jitter). */
  retryMinMs: number;
  retryMaxMs: number;
  /** False for an error no retry can fix (a record the schema refuses): the batch is dropped. @default every error is retried */
  retryable?: (err: unknown) => boolean;
  onWritten?: (n: number) => void;
  onDropped?: (n: number, reason: DropReason) => void;
  onWriteError?: (err: unknown, info: { items: number; attempt: number; retryInMs: number | undefined }) => void;
  /** [0, 1) for the backoff jitter. @default Math.random */
  random?: () => number;
}

export class LogBuffer<T> {
  readonly #o: LogBufferOptions<T>;
  /** Ring of capacity maxBuffered: O(1) push, drop-oldest and take-from-front. */
  readonly #ring: (T | undefined)[];
  #head = 0;
  #size = 0;
  #inFlight = 0;
  /** Overflow drops not yet reported: push stays free of metric updates on the hot path. */
  #overflowPending = 0;
  #draining: Promise<void> | undefined;
  #kickQueued = false;
  #attempt = 0;
  #backoff: NodeJS.Timeout | undefined;
  readonly #interval: NodeJS.Timeout;
  #closed = false;
  #stopped = false;

  constructor(options: LogBufferOptions<T>) {
    if (!Number.isInteger(options.maxBuffered) || options.maxBuffered < 1)
      throw new RangeError(`maxBuffered must be a positive integer; got ${options.maxBuffered}`);
    if (!Number.isInteger(options.flushSize) || options.flushSize < 1 || options.flushSize > options.maxBuffered) {
      throw new RangeError(
        `flushSize must be an integer in 1..maxBuffered (${options.maxBuffered}); got ${options.flushSize}`,
      );
    }
    this.#o = options;
    this.#ring = new Array<T | undefined>(options.maxBuffered);
    this.#interval = setInterval(() => this.#tick(), options.flushIntervalMs);
    this.#interval.unref();
  }

  /** Items waiting or being written. */
  get buffered(): number {
    return this.#size + this.#inFlight;
  }

  push(item: T): void {
    if (this.#stopped) {
      this.#o.onDropped?.(1, 'shutdown');
      return;
    }
    const cap = this.#ring.length;
    if (this.#size === cap) {
      this.#ring[(this.#head + this.#size) % cap] = item; // overwrites the oldest
      this.#head = (this.#head + 1) % cap;
      this.#overflowPending++;
    } else {
      this.#ring[(this.#head + this.#size) % cap] = item;
      this.#size++;
    }
    if (this.#size >= this.#o.flushSize && !this.#kickQueued && !this.#draining && !this.#backoff) {
      // Not from inside the caller's turn: the request that filled the batch is answered first.
      this.#kickQueued = true;
      setImmediate(() => {
        this.#kickQueued = false;
        this.#start(false);
      });
    }
  }

  /**
   * Writes everything waiting now, without waiting for the interval or a pending backoff; a
   * batch that fails is put back and retried after its backoff as usual. Resolves once this
   * pass is over; never rejects.
   */
  async flush(): Promise<void> {
    await this.#draining;
    if (this.#closed) return;
    this.#clearBackoff();
    this.#start(true);
    await this.#draining;
  }

  /**
   * Stops the timers and writes what is left, retrying until `deadlineMs` from now; what is
   * still unwritten then is dropped (reason "shutdown"). Later pushes are dropped at once.
   */
  async close(deadlineMs: number): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#interval);
    this.#clearBackoff();
    const deadline = Date.now() + deadlineMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), deadlineMs);
      timer.unref();
    });
    try {
      await Promise.race([this.#draining, expired]);
      while (this.#size > 0 && Date.now() < deadline) {
        this.#draining = this.#drain(true, deadline);
        if ((await Promise.race([this.#draining, expired])) === 'expired') break;
      }
    } finally {
      clearTimeout(timer);
      this.#stopped = true;
      this.#reportOverflow();
      const left = this.#size + this.#inFlight;
      this.#size = 0;
      this.#ring.fill(undefined);
      if (left > 0) this.#o.onDropped?.(left, 'shutdown');
    }
  }

  #tick(): void {
    this.#reportOverflow();
    if (this.#size > 0) this.#start(true);
  }

  #start(all: boolean): void {
    if (this.#draining || this.#backoff || this.#closed) return;
    this.#draining = this.#drain(all, Infinity).finally(() => {
      this.#draining = undefined;
    });
  }

  /**
   * Writes batches while any is due: full ones, and with `all` also what was waiting when the
   * pass began. Items that arrive during a write wait for a full batch or the next pass: were
   * they due at once, a steady stream would keep the pass going with one small batch per
   * round trip (the audit trail at 1,000 calls/s made about 20 INSERTs a second of 50 rows,
   * where ClickHouse wants about one; each INSERT is a new part).
   */
  async #drain(all: boolean, deadline: number): Promise<void> {
    let due = all ? this.#size : 0;
    while (this.#size > 0 && (due > 0 || this.#size >= this.#o.flushSize) && !this.#stopped) {
      const batch = this.#take(Math.min(this.#o.flushSize, this.#size));
      due = Math.max(0, due - batch.length);
      this.#inFlight = batch.length;
      let failure: { err: unknown } | undefined;
      try {
        await this.#o.write(batch);
      } catch (err) {
        failure = { err };
      }
      this.#inFlight = 0;
      if (this.#stopped) return; // close() gave up and counted these already
      this.#reportOverflow();
      if (!failure) {
        this.#attempt = 0;
        this.#o.onWritten?.(batch.length);
        continue;
      }
      if (this.#o.retryable && !this.#o.retryable(failure.err)) {
        this.#o.onWriteError?.(failure.err, { items: batch.length, attempt: this.#attempt + 1, retryInMs: undefined });
        this.#o.onDropped?.(batch.length, 'rejected');
        continue;
      }
      this.#attempt++;
      const delay = this.#delay();
      this.#o.onWriteError?.(failure.err, { items: batch.length, attempt: this.#attempt, retryInMs: delay });
      this.#requeue(batch);
      due += batch.length;
      if (this.#closed) {
        // Shutting down: wait here (close() owns the loop) unless the deadline is nearer.
        const wait = Math.min(delay, deadline - Date.now());
        if (wait <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, wait).unref());
        continue;
      }
      this.#backoff = setTimeout(() => {
        this.#backoff = undefined;
        this.#start(true);
      }, delay);
      this.#backoff.unref();
      return;
    }
  }

  #delay(): number {
    // Half fixed, half jitter: replicas that failed together do not retry together.
    return backoffDelayMs(
      this.#attempt,
      { initialDelayMs: this.#o.retryMinMs, maxDelayMs: this.#o.retryMaxMs, jitter: 0.5 },
      this.#o.random,
    );
  }

  #take(n: number): T[] {
    const cap = this.#ring.length;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      const at = (this.#head + i) % cap;
      out[i] = this.#ring[at]!;
      this.#ring[at] = undefined;
    }
    this.#head = (this.#head + n) % cap;
    this.#size -= n;
    return out;
  }

  /** Puts a failed batch back in front of newer items; what no longer fits is the oldest, and goes. */
  #requeue(batch: T[]): void {
    const cap = this.#ring.length;
    const room = cap - this.#size;
    const keep = Math.min(room, batch.length);
    const lost = batch.length - keep;
    for (let i = batch.length - 1; i >= lost; i--) {
      this.#head = (this.#head - 1 + cap) % cap;
      this.#ring[this.#head] = batch[i];
      this.#size++;
    }
    this.#overflowPending += lost;
    this.#reportOverflow();
  }

  #reportOverflow(): void {
    if (this.#overflowPending === 0) return;
    const n = this.#overflowPending;
    this.#overflowPending = 0;
    this.#o.onDropped?.(n, 'overflow');
  }

  #clearBackoff(): void {
    if (this.#backoff) clearTimeout(this.#backoff);
    this.#backoff = undefined;
  }
}
