/** One partition's position to commit: the offset of the next record the group should read. */
export interface CommitPoint {
  topic: string;
  partition: number;
  offset: string;
}

interface PartitionState {
  /** Tracked offsets not yet done, ascending (records are tracked in fetch order). */
  pending: bigint[];
  /** Highest offset tracked so far; −1 when none. */
  highest: bigint;
  /** Offset last committed (the next one to read); −1 when none. */
  committed: bigint;
  /** Done offsets above the lowest pending one, waiting for the gap below them to close. */
  doneAhead: Set<bigint>;
}

function parseOffset(offset: string | number | bigint, what: string): bigint {
  try {
    const value = BigInt(offset);
    if (value < 0n) throw new RangeError();
    return value;
  } catch {
    throw new RangeError(`${what} must be a non-negative integer offset; got ${String(offset)}`);
  }
}

/**
 * Offset bookkeeping for at-least-once: a partition's commit point only moves past a record
 * once it and every tracked record before it are done (handled, or safely dead-lettered), even
 * when records finish out of order. Kafka offsets can have gaps (compaction, transaction
 * markers), so the point is "lowest pending offset", or "highest tracked + 1" when none pends.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionState>();

  private key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  private state(topic: string, partition: number): PartitionState {
    const key = this.key(topic, partition);
    let state = this.partitions.get(key);
    if (!state) {
      state = { pending: [], highest: -1n, committed: -1n, doneAhead: new Set() };
      this.partitions.set(key, state);
    }
    return state;
  }

  /** Registers a fetched record; offsets of one partition must arrive in ascending order. */
  track(topic: string, partition: number, offset: string | number | bigint): void {
    const value = parseOffset(offset, 'offset');
    const state = this.state(topic, partition);
    if (value <= state.highest) {
      throw new RangeError(
        `offset ${value} of ${topic}/${partition} tracked out of order (highest tracked is ${state.highest})`,
      );
    }
    state.pending.push(value);
    state.highest = value;
  }

  /**
   * Covers offsets up to `offset` that will never be delivered (a batch's trailing control
   * records), so the commit point can pass them once everything before is done.
   */
  skipThrough(topic: string, partition: number, offset: string | number | bigint): void {
    const value = parseOffset(offset, 'offset');
    const state = this.state(topic, partition);
    if (value > state.highest) state.highest = value;
  }

  /** Marks a tracked record done. */
  complete(topic: string, partition: number, offset: string | number | bigint): void {
    const value = parseOffset(offset, 'offset');
    const state = this.partitions.get(this.key(topic, partition));
    const index = state ? state.pending.indexOf(value) : -1;
    if (!state || index < 0) {
      throw new RangeError(`offset ${value} of ${topic}/${partition} completed but not pending`);
    }
    if (index === 0) {
      state.pending.shift();
      // Done records that were waiting behind this one are now contiguous with it.
      while (state.pending.length > 0 && state.doneAhead.has(state.pending[0]!)) {
        state.doneAhead.delete(state.pending.shift()!);
      }
    } else {
      state.doneAhead.add(value);
    }
  }

  /** The offset to commit for a partition (next to read), or undefined if nothing new is safe. */
  committable(topic: string, partition: number): string | undefined {
    const state = this.partitions.get(this.key(topic, partition));
    if (!state || state.highest < 0n) return undefined;
    const point = state.pending.length > 0 ? state.pending[0]! : state.highest + 1n;
    return point > state.committed ? point.toString() : undefined;
  }

  /** Every partition whose commit point moved since its last commit. */
  commitPlan(): CommitPoint[] {
    const plan: CommitPoint[] = [];
    for (const key of this.partitions.keys()) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      const offset = this.committable(topic, Number(partition));
      if (offset !== undefined) plan.push({ topic, partition: Number(partition), offset });
    }
    return plan;
  }

  /** Records that `offset` was committed for the partition (commits never move backwards). */
  markCommitted(topic: string, partition: number, offset: string | number | bigint): void {
    const value = parseOffset(offset, 'offset');
    const state = this.state(topic, partition);
    if (value > state.committed) state.committed = value;
  }

  /** Records tracked and not yet done in a partition. */
  pendingCount(topic: string, partition: number): number {
    const state = this.partitions.get(this.key(topic, partition));
    return state ? state.pending.length - state.doneAhead.size : 0;
  }

  /**
   * Forgets a partition's unfinished records but keeps its last commit: the client is about
   * to deliver them again (after a failed batch), and they will be tracked anew.
   */
  dropPending(topic: string, partition: number): void {
    const state = this.partitions.get(this.key(topic, partition));
    if (!state) return;
    state.pending = [];
    state.doneAhead.clear();
    state.highest = -1n;
  }

  /** Drops a partition's state (revoked or reassigned: its next owner starts from the commit). */
  forget(topic: string, partition: number): void {
    this.partitions.delete(this.key(topic, partition));
  }
}
