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
  /** Pending offsets whose handler deferred completion, with the ticket their ack must show. */
  deferred: Map<bigint, number>;
}

/** Index of `value` in the ascending `list`, or −1 (binary search: deferral keeps lists long). */
function indexIn(list: readonly bigint[], value: bigint): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = list[mid]!;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** First index in the ascending `list` whose value is ≥ `value` (list.length when none). */
function lowerBound(list: readonly bigint[], value: bigint): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  readonly #partitions = new Map<string, PartitionState>();
  /** Tickets are never reused, so an ack from before a drop or a revocation cannot match. */
  #nextTicket = 1;
  #deferredTotal = 0;

  #key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  #state(topic: string, partition: number): PartitionState {
    const key = this.#key(topic, partition);
    let state = this.#partitions.get(key);
    if (!state) {
      state = { pending: [], highest: -1n, committed: -1n, doneAhead: new Set(), deferred: new Map() };
      this.#partitions.set(key, state);
    }
    return state;
  }

  /** Registers a fetched record; offsets of one partition must arrive in ascending order. */
  track(topic: string, partition: number, offset: string | number | bigint): void {
    const value = parseOffset(offset, 'offset');
    const state = this.#state(topic, partition);
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
    const state = this.#state(topic, partition);
    if (value > state.highest) state.highest = value;
  }

  /** Marks a tracked record done. */
  complete(topic: string, partition: number, offset: string | number | bigint): void {
    const value = parseOffset(offset, 'offset');
    const state = this.#partitions.get(this.#key(topic, partition));
    const index = state ? indexIn(state.pending, value) : -1;
    if (!state || index < 0 || state.doneAhead.has(value)) {
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

  /**
   * Keeps a tracked record pending after its handler returned: it only becomes done through
   * `resolveDeferred` with the returned ticket. Until then the commit point cannot pass it.
   */
  defer(topic: string, partition: number, offset: string | number | bigint): number {
    const value = parseOffset(offset, 'offset');
    const state = this.#partitions.get(this.#key(topic, partition));
    if (!state || indexIn(state.pending, value) < 0 || state.doneAhead.has(value) || state.deferred.has(value)) {
      throw new RangeError(`offset ${value} of ${topic}/${partition} deferred but not pending`);
    }
    const ticket = this.#nextTicket++;
    state.deferred.set(value, ticket);
    this.#deferredTotal += 1;
    return ticket;
  }

  /**
   * Completes a deferred record. Returns false, changing nothing, when the ticket is stale: the
   * partition was revoked (`forget`) or the record dropped for redelivery (`dropFrom`) since —
   * its new delivery, if any, is tracked under a new ticket.
   */
  resolveDeferred(topic: string, partition: number, offset: string | number | bigint, ticket: number): boolean {
    const value = parseOffset(offset, 'offset');
    const state = this.#partitions.get(this.#key(topic, partition));
    if (!state || state.deferred.get(value) !== ticket) return false;
    state.deferred.delete(value);
    this.#deferredTotal -= 1;
    this.complete(topic, partition, value);
    return true;
  }

  /** Deferred records not yet resolved, over every partition (the consumer bounds it). */
  deferredCount(): number {
    return this.#deferredTotal;
  }

  /** The offset to commit for a partition (next to read), or undefined if nothing new is safe. */
  committable(topic: string, partition: number): string | undefined {
    const state = this.#partitions.get(this.#key(topic, partition));
    if (!state || state.highest < 0n) return undefined;
    const point = state.pending.length > 0 ? state.pending[0]! : state.highest + 1n;
    return point > state.committed ? point.toString() : undefined;
  }

  /** Every partition whose commit point moved since its last commit. */
  commitPlan(): CommitPoint[] {
    const plan: CommitPoint[] = [];
    for (const key of this.#partitions.keys()) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      const offset = this.committable(topic, Number(partition));
      if (offset !== undefined) plan.push({ topic, partition: Number(partition), offset });
    }
    return plan;
  }

  /** Records that `offset` was committed for the partition (commits never move backwards). */
  markCommitted(topic: string, partition: number, offset: string | number | bigint): void {
    const value = parseOffset(offset, 'offset');
    const state = this.#state(topic, partition);
    if (value > state.committed) state.committed = value;
  }

  /** Records tracked and not yet done in a partition. */
  pendingCount(topic: string, partition: number): number {
    const state = this.#partitions.get(this.#key(topic, partition));
    return state ? state.pending.length - state.doneAhead.size : 0;
  }

  /**
   * Forgets a partition's unfinished records but keeps its last commit: the client is about
   * to deliver them again (after a failed batch), and they will be tracked anew.
   */
  dropPending(topic: string, partition: number): void {
    const state = this.#partitions.get(this.#key(topic, partition));
    if (!state) return;
    this.#deferredTotal -= state.deferred.size;
    state.pending = [];
    state.doneAhead.clear();
    state.deferred.clear();
    state.highest = -1n;
  }

  /**
   * Before a batch starting at `offset`: forgets the records from `offset` on (the client
   * delivers them again, to be tracked anew; their deferred acks go stale) and keeps the ones
   * below, deferred ones included — they were handled and will not come again.
   */
  dropFrom(topic: string, partition: number, offset: string | number | bigint): void {
    const value = parseOffset(offset, 'offset');
    const state = this.#partitions.get(this.#key(topic, partition));
    if (!state || value > state.highest) return;
    const cut = lowerBound(state.pending, value);
    for (const dropped of state.pending.splice(cut)) {
      state.doneAhead.delete(dropped);
      if (state.deferred.delete(dropped)) this.#deferredTotal -= 1;
    }
    state.highest = value - 1n;
  }

  /** Drops a partition's state (revoked or reassigned: its next owner starts from the commit). */
  forget(topic: string, partition: number): void {
    const key = this.#key(topic, partition);
    this.#deferredTotal -= this.#partitions.get(key)?.deferred.size ?? 0;
    this.#partitions.delete(key);
  }

  /** Partitions with state, as [topic, partition] (to forget those no longer assigned). */
  trackedPartitions(): Array<[string, number]> {
    return [...this.#partitions.keys()].map((key) => {
      const [topic, partition] = key.split('\u0000') as [string, string];
      return [topic, Number(partition)];
    });
  }
}
