import { OmenError } from '@omen/errors';
import { fromKafkaError } from '../errors.ts';
import { describeOffsetGap, type OffsetGap } from '../gaps.ts';
import type { OffsetOutOfRange } from '../kafkajs-compat.ts';
import type { PartitionWatermarks } from '../lag.ts';
import type { ConsumerScope } from './types.ts';

type StoppedPartition = OffsetGap & { seek: (offset: string) => Promise<void> };

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * What a consumer does when its next offset is no longer in the log (gaps.ts has the policy):
 * counts and logs the loss, stops or skips the partition, and keeps the stopped ones until an
 * operator accepts their gap or the partition is revoked.
 */
export class GapStops<V> {
  readonly #scope: ConsumerScope<V>;
  /** Stopped partitions, with the refused fetch's seek (the only way to move a paused position). */
  readonly #stopped = new Map<string, StoppedPartition>();

  constructor(scope: ConsumerScope<V>) {
    this.#scope = scope;
  }

  isStopped(topic: string, partition: number): boolean {
    return this.#stopped.has(keyOf(topic, partition));
  }

  list(): OffsetGap[] {
    return [...this.#stopped.values()].map(({ seek: _seek, ...gap }) => gap);
  }

  /**
   * A partition stopped at a gap and now revoked is its new owner's to stop (it meets the
   * same gap). Resumed here so that, if it comes back, it is fetched — and stopped — again
   * rather than sitting paused unreported.
   */
  releaseRevoked(assigned: Readonly<Record<string, readonly number[] | undefined>>): void {
    const { group, settings, deps, log } = this.#scope;
    for (const [key, { seek: _seek, ...gap }] of this.#stopped) {
      if ((assigned[gap.topic] ?? []).includes(gap.partition)) continue;
      this.#stopped.delete(key);
      deps.consumer.resume([{ topic: gap.topic, partitions: [gap.partition] }]);
      deps.metrics.partitionStopped.set({ group, topic: gap.topic, partition: String(gap.partition) }, 0);
      log.warn(
        { group, topic: gap.topic, partition: gap.partition },
        'a partition stopped at a gap was revoked; no longer ours to report',
      );
      settings.onOffsetGapCleared?.(gap);
    }
  }

  /** See ConsumerRunner.acceptGap. */
  async accept(topic: string, partition: number, expected: string): Promise<OffsetGap> {
    const { group, settings, deps, log } = this.#scope;
    const key = keyOf(topic, partition);
    const stopped = this.#stopped.get(key);
    if (!stopped || stopped.expected !== expected) {
      const at = stopped ? `it stopped at offset ${stopped.expected}` : 'it is not stopped at a gap here';
      throw new OmenError(
        'FAILED_PRECONDITION',
        `group "${group}" cannot accept a gap at ${topic}/${partition} offset ${expected}: ${at}`,
      );
    }
    let marks: PartitionWatermarks | undefined;
    try {
      marks = (await deps.watermarks(topic)).find((w) => w.partition === partition);
    } catch (err) {
      throw fromKafkaError(err, `reading the log bounds of ${topic}/${partition} to accept its gap`);
    }
    if (!marks) throw new OmenError('UNAVAILABLE', `no log bounds for ${topic}/${partition}`);
    // Retention may have deleted more since the stop: those records are lost too, and counted.
    const more = Math.max(0, Number(BigInt(marks.low) - BigInt(stopped.logStart)));
    const { seek, ...gap } = stopped;
    const accepted: OffsetGap = {
      ...gap,
      logStart: marks.low,
      logEnd: marks.high,
      resumeAt: marks.low,
      skipped: gap.skipped + more,
    };
    await seek(accepted.resumeAt);
    this.#stopped.delete(key);
    deps.consumer.resume([{ topic, partitions: [partition] }]);
    const labels = { group, topic, partition: String(partition) };
    if (more > 0) deps.metrics.skippedOffsets.inc(labels, more);
    deps.metrics.partitionStopped.set(labels, 0);
    log.warn(
      {
        group,
        topic,
        partition,
        firstMissing: gap.expected,
        resumeAt: accepted.resumeAt,
        skipped: accepted.skipped,
        logEnd: accepted.logEnd,
      },
      `gap in ${topic}/${partition} accepted: going on from offset ${accepted.resumeAt} without offsets ${gap.expected}..${BigInt(accepted.resumeAt) - 1n} (${accepted.skipped} records)`,
    );
    settings.onOffsetGapCleared?.(accepted);
    return accepted;
  }

  /**
   * The broker refused a fetch: the position is not in the partition's log any more. Compares
   * it with the log's bounds, counts the records lost in `omen_kafka_consumer_skipped_offsets_total`,
   * logs the exact range at error, and applies the policy: `stop` pauses the partition where
   * it is (kafkajs' position and the group's commit stay below the gap), `skip` moves to the
   * log start. Throws (kafkajs retries the fetch) when the bounds cannot be read.
   */
  async onOutOfRange(event: OffsetOutOfRange): Promise<void> {
    const { group, settings, deps, log } = this.#scope;
    const { topic, partition, fetchOffset } = event;
    const policy = settings.offsetGapPolicy;
    let marks: PartitionWatermarks | undefined;
    try {
      marks = (await deps.watermarks(topic)).find((w) => w.partition === partition);
    } catch (err) {
      throw fromKafkaError(err, `reading the log bounds of ${topic}/${partition} after an out-of-range fetch`);
    }
    if (!marks)
      throw new OmenError(
        'UNAVAILABLE',
        `no log bounds for ${topic}/${partition} after an out-of-range fetch at ${fetchOffset}`,
      );
    const gap = describeOffsetGap({ group, topic, partition, policy }, fetchOffset, marks.low, marks.high);
    if (!gap) {
      log.warn(
        { group, topic, partition, offset: fetchOffset, logStart: marks.low, logEnd: marks.high },
        'fetch refused as out of range, but the offset is in the log now; fetching again',
      );
      return;
    }
    const labels = { group, topic, partition: String(partition) };
    deps.metrics.skippedOffsets.inc(labels, gap.skipped);
    log.error(
      {
        group,
        topic,
        partition,
        kind: gap.kind,
        firstMissing: gap.kind === 'deleted' ? gap.expected : undefined,
        lastMissing: gap.kind === 'deleted' ? (BigInt(gap.logStart) - 1n).toString() : undefined,
        skipped: gap.skipped,
        logStart: gap.logStart,
        logEnd: gap.logEnd,
        policy,
      },
      gap.reason,
    );
    if (policy === 'stop') {
      event.pause();
      this.#stopped.set(keyOf(topic, partition), { ...gap, seek: (offset) => event.seek(offset) });
      deps.metrics.partitionStopped.set(labels, 1);
    } else {
      await event.seek(gap.resumeAt);
    }
    settings.onOffsetGap?.(gap);
  }
}
