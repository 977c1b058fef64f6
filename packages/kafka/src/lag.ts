/** A partition's lag for one group. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** Offset the next produced record gets. */
  highWatermark: string;
  /** The group's committed offset (next to read); −1 when it committed nothing yet. */
  committed: string;
  lag: number;
}

export interface PartitionWatermarks {
  partition: number;
  high: string;
  low: string;
}

export interface CommittedOffset {
  partition: number;
  offset: string;
}

/**
 * Lag = high watermark − committed offset. A group that committed nothing yet will read from
 * the log start (we consume from the beginning), so its lag is the whole retained log; a
 * commit below the log start (retention deleted records) counts from the log start too.
 */
export function computeLag(
  topic: string,
  watermarks: readonly PartitionWatermarks[],
  committed: readonly CommittedOffset[],
): PartitionLag[] {
  const byPartition = new Map(committed.map((c) => [c.partition, c.offset]));
  return watermarks
    .map(({ partition, high, low }) => {
      const offset = byPartition.get(partition) ?? '-1';
      const start = BigInt(offset) < BigInt(low) ? BigInt(low) : BigInt(offset);
      const lag = BigInt(high) - start;
      return { topic, partition, highWatermark: high, committed: offset, lag: Number(lag > 0n ? lag : 0n) };
    })
    .sort((a, b) => a.partition - b.partition);
}
