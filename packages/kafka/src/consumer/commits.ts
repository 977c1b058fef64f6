import type { EachBatchPayload } from 'kafkajs';
import { OffsetTracker } from '../offsets.ts';
import { sleep } from '../retry.ts';
import type { Deferral } from './deferrals.ts';
import { withHeartbeats } from './retries.ts';
import type { ConsumerScope } from './types.ts';

/**
 * The at-least-once bookkeeping of one consumer: which records are done or deferred
 * (OffsetTracker), and the commits that follow from it — after each stretch of a batch, and
 * on a timer for acks of deferred records that arrive between batches.
 */
export class CommitKeeper<V> {
  readonly #scope: ConsumerScope<V>;
  readonly #tracker = new OffsetTracker();
  #deferredCommit: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(scope: ConsumerScope<V>) {
    this.#scope = scope;
  }

  /**
   * Revoked partitions: their deferred records are not ours to commit any more. Forgetting
   * them makes their acks stale (ignored); the new owner re-reads from the last commit.
   */
  forgetRevoked(assigned: Readonly<Record<string, readonly number[] | undefined>>): void {
    for (const [topic, partition] of this.#tracker.trackedPartitions()) {
      if (!(assigned[topic] ?? []).includes(partition)) this.#tracker.forget(topic, partition);
    }
  }

  /**
   * Tracks a fetched batch. Whatever was pending from its first offset on belongs to a batch
   * that failed (or to a partition fetched again from its commit); kafkajs delivers it again.
   * Records below it that a handler deferred stay pending: they were handled and do not come again.
   */
  trackBatch(batch: EachBatchPayload['batch']): void {
    const { topic, partition, messages } = batch;
    if (messages.length > 0) this.#tracker.dropFrom(topic, partition, batch.firstOffset()!);
    for (const message of messages) this.#tracker.track(topic, partition, message.offset);
  }

  /** The whole batch is done: trailing control records (transaction markers) are never delivered; step over them. */
  completeBatch(batch: EachBatchPayload['batch'], payload: EachBatchPayload): void {
    this.#tracker.skipThrough(batch.topic, batch.partition, batch.lastOffset());
    payload.resolveOffset(batch.lastOffset());
  }

  /** Resolving the offset lets kafkajs fetch on; the tracker alone decides what is committed. */
  markDone(
    topic: string,
    partition: number,
    offset: string,
    payload: EachBatchPayload,
    deferred: ReadonlySet<string>,
  ): void {
    if (!deferred.has(offset)) this.#tracker.complete(topic, partition, offset);
    payload.resolveOffset(offset);
  }

  /**
   * Hands the still-open deferrals of a successful handler call to the tracker; returns their
   * offsets (records acked before the call returned complete as usual).
   */
  register(deferrals: readonly Deferral[]): Set<string> {
    const offsets = new Set<string>();
    for (const d of deferrals) {
      if (d.state !== 'open') continue;
      d.ticket = this.#tracker.defer(d.topic, d.partition, d.offset);
      d.state = 'registered';
      offsets.add(d.offset);
    }
    return offsets;
  }

  /** What a deferral's ack does (an arrow, handed to handler calls as it is). */
  readonly acknowledge = (d: Deferral): void => {
    if (d.state === 'open') d.state = 'acked';
    if (d.state !== 'registered') return;
    d.state = 'acked';
    if (this.#tracker.resolveDeferred(d.topic, d.partition, d.offset, d.ticket)) this.#scheduleCommit();
  };

  /**
   * Deferred acks arrive between batches, and a partition may get no further batch to commit
   * them; so they are committed on a timer too (batched: at most one commit per interval).
   */
  #scheduleCommit(): void {
    if (this.#deferredCommit || this.#closed) return;
    const { group, log, settings } = this.#scope;
    this.#deferredCommit = setTimeout(
      () => {
        this.#deferredCommit = undefined;
        this.commitAll().catch((err: unknown) =>
          log.warn({ group, err }, 'committing deferred acks failed; retried with the next ack or batch'),
        );
      },
      Math.max(100, settings.commitIntervalMs),
    );
    this.#deferredCommit.unref();
  }

  /** No more timed commits: the consumer stops (its last commitAll is the runner's). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#deferredCommit);
  }

  async commitAll(): Promise<void> {
    const plan = this.#tracker.commitPlan();
    if (plan.length === 0) return;
    // A commit of a stale generation (rebalance under way) fails here and changes nothing.
    await this.#scope.deps.consumer.commitOffsets(plan);
    for (const p of plan) this.#tracker.markCommitted(p.topic, p.partition, p.offset);
  }

  async commit(topic: string, partition: number, payload: EachBatchPayload): Promise<void> {
    const offset = this.#tracker.committable(topic, partition);
    if (offset === undefined) return;
    await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
    this.#tracker.markCommitted(topic, partition, offset);
  }

  /**
   * Waits (heartbeating) while `maxDeferred` records await their acks: bounds the tracker's
   * memory. False when the consumer stops or the batch went stale meanwhile.
   */
  async belowDeferredBound(payload: EachBatchPayload): Promise<boolean> {
    const scope = this.#scope;
    const { maxDeferred } = scope.settings;
    if (this.#tracker.deferredCount() < maxDeferred) return true;
    scope.log.warn(
      { group: scope.group, deferred: this.#tracker.deferredCount() },
      'deferred records at the bound; waiting for acks',
    );
    return withHeartbeats(scope, payload, async () => {
      while (this.#tracker.deferredCount() >= maxDeferred) {
        if (!payload.isRunning() || payload.isStale()) return false;
        if (!(await sleep(100, scope.signal))) return false;
      }
      return true;
    });
  }
}
