/**
 * What a consumer does when the offset it must read next is no longer in the log (retention
 * deleted it before the group got there, or the log was truncated):
 * - `stop`: pause that partition and commit nothing past the gap, so the records after it are
 *   not computed on an incomplete history; an operator accepts the gap (`acceptGap`) as part of
 *   a recovery (republish, rebuild) or restarts the consumer with `skip`. For stateful consumers.
 * - `skip`: go on from the oldest record still in the log, the lost ones counted. For consumers
 *   whose records stand alone.
 */
export type OffsetGapPolicy = 'stop' | 'skip';

export const OFFSET_GAP_POLICIES: readonly OffsetGapPolicy[] = ['stop', 'skip'];

/** A partition's position that the log no longer holds, and what the consumer did about it. */
export interface OffsetGap {
  group: string;
  topic: string;
  partition: number;
  /** The offset the group was to read next (its position or committed offset). */
  expected: string;
  /** The partition's log start and end (high watermark) when the gap was seen. */
  logStart: string;
  logEnd: string;
  /**
   * `deleted`: records [expected, logStart) are gone; `ahead`: the position is past the log's
   * end, the log was truncated or replaced (what was there is unknown).
   */
  kind: 'deleted' | 'ahead';
  /** Records lost to this group: logStart − expected for `deleted`, 0 (unknown) for `ahead`. */
  skipped: number;
  /** Where reading goes on under `skip`: the log start. */
  resumeAt: string;
  policy: OffsetGapPolicy;
  /** One line for logs and health: which offsets, which group, what happens now. */
  reason: string;
}

/**
 * The gap callbacks a service hands its consumers: a partition stopped at a gap holds health
 * NOT_SERVING with the reason (`setBlocked` is the service kit's) until an operator accepts the
 * gap or it is revoked from this consumer (its new owner sees the gap itself); a skipped gap is
 * counted and logged, no more.
 */
export function offsetGapHealth(setBlocked: (name: string, reason: string | undefined) => void): {
  onOffsetGap: (gap: OffsetGap) => void;
  onOffsetGapCleared: (gap: OffsetGap) => void;
} {
  const name = (gap: OffsetGap): string => `consumer ${gap.group} on ${gap.topic}/${gap.partition}`;
  return {
    onOffsetGap: (gap) => {
      if (gap.policy === 'stop') setBlocked(name(gap), gap.reason);
    },
    onOffsetGapCleared: (gap) => setBlocked(name(gap), undefined),
  };
}

/**
 * Describes the gap between the position a fetch was refused for and the partition's log, or
 * returns undefined when the position is inside the log after all (the log moved between the
 * refused fetch and the watermark read; fetching again is right).
 */
export function describeOffsetGap(
  where: { group: string; topic: string; partition: number; policy: OffsetGapPolicy },
  expected: string,
  logStart: string,
  logEnd: string,
): OffsetGap | undefined {
  const at = BigInt(expected);
  const start = BigInt(logStart);
  const end = BigInt(logEnd);
  if (at >= start && at <= end) return undefined;
  const kind = at < start ? 'deleted' : 'ahead';
  const skipped = kind === 'deleted' ? Number(start - at) : 0;
  const { group, topic, partition, policy } = where;
  const lost =
    kind === 'deleted'
      ? `offsets ${at}..${start - 1n} of ${topic}/${partition} (${skipped} records) were deleted before group "${group}" read them`
      : `group "${group}" is at offset ${at} of ${topic}/${partition}, past the log's end ${end}: the log was truncated or replaced`;
  const action =
    policy === 'stop'
      ? `policy stop: partition paused, nothing committed past ${at}; an operator accepts the gap to go on (acceptGap; for the featurizer: ./scripts/omen featurizer rebuild --accept-gap), or restarts with policy skip`
      : `policy skip: going on from offset ${start}`;
  return {
    ...where,
    expected: expected,
    logStart,
    logEnd,
    kind,
    skipped,
    resumeAt: logStart,
    reason: `${lost}; ${action}`,
  };
}
