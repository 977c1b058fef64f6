import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../src/offsets.ts';

describe('OffsetTracker', () => {
  it('commits past a record only once it and all before it are done', () => {
    const t = new OffsetTracker();
    for (const o of [10, 11, 12]) t.track('a', 0, o);
    expect(t.committable('a', 0)).toBe('10');
    t.complete('a', 0, 11);
    expect(t.committable('a', 0)).toBe('10');
    t.complete('a', 0, 10);
    expect(t.committable('a', 0)).toBe('12');
    t.complete('a', 0, 12);
    expect(t.committable('a', 0)).toBe('13');
  });

  it('steps over offset gaps (compacted or control records)', () => {
    const t = new OffsetTracker();
    t.track('a', 0, '5');
    t.track('a', 0, '9');
    t.complete('a', 0, '5');
    expect(t.committable('a', 0)).toBe('9');
    t.complete('a', 0, '9');
    t.skipThrough('a', 0, '11');
    expect(t.committable('a', 0)).toBe('12');
  });

  it('offers nothing new until the point moves past the last commit', () => {
    const t = new OffsetTracker();
    t.track('a', 0, 0);
    t.complete('a', 0, 0);
    t.markCommitted('a', 0, '1');
    expect(t.committable('a', 0)).toBeUndefined();
    expect(t.commitPlan()).toEqual([]);
    t.track('a', 0, 1);
    expect(t.committable('a', 0)).toBeUndefined();
    t.complete('a', 0, 1);
    expect(t.commitPlan()).toEqual([{ topic: 'a', partition: 0, offset: '2' }]);
  });

  it('keeps partitions and topics apart', () => {
    const t = new OffsetTracker();
    t.track('a', 0, 0);
    t.track('a', 1, 0);
    t.track('b', 0, 7);
    t.complete('a', 1, 0);
    t.complete('b', 0, 7);
    // a/0 has nothing done: its point stays at its first record (a commit that skips nothing).
    expect(t.commitPlan()).toEqual([
      { topic: 'a', partition: 0, offset: '0' },
      { topic: 'a', partition: 1, offset: '1' },
      { topic: 'b', partition: 0, offset: '8' },
    ]);
  });

  it('handles offsets beyond 2^53 exactly', () => {
    const t = new OffsetTracker();
    t.track('a', 0, '9007199254740993');
    t.complete('a', 0, '9007199254740993');
    expect(t.committable('a', 0)).toBe('9007199254740994');
  });

  it('counts pending records, done-ahead ones excluded', () => {
    const t = new OffsetTracker();
    for (const o of [1, 2, 3]) t.track('a', 0, o);
    t.complete('a', 0, 3);
    expect(t.pendingCount('a', 0)).toBe(2);
  });

  it('after dropPending tracks a redelivered batch anew and keeps the commit', () => {
    const t = new OffsetTracker();
    for (const o of [0, 1, 2]) t.track('a', 0, o);
    t.complete('a', 0, 0);
    t.markCommitted('a', 0, 1);
    t.dropPending('a', 0);
    expect(t.committable('a', 0)).toBeUndefined();
    for (const o of [1, 2]) t.track('a', 0, o);
    t.complete('a', 0, 1);
    expect(t.committable('a', 0)).toBe('2');
  });

  it('refuses out-of-order tracking and unknown completions', () => {
    const t = new OffsetTracker();
    t.track('a', 0, 5);
    expect(() => t.track('a', 0, 5)).toThrow(/offset 5 of a\/0 tracked out of order \(highest tracked is 5\)/);
    expect(() => t.complete('a', 0, 6)).toThrow(/offset 6 of a\/0 completed but not pending/);
    expect(() => t.track('a', 0, -1)).toThrow(/offset must be a non-negative integer offset; got -1/);
    expect(() => t.track('a', 0, 'x')).toThrow(/got x/);
  });

  it('forget drops a revoked partition', () => {
    const t = new OffsetTracker();
    t.track('a', 0, 0);
    t.forget('a', 0);
    expect(t.committable('a', 0)).toBeUndefined();
    expect(t.pendingCount('a', 0)).toBe(0);
  });

  describe('deferred completion', () => {
    it('holds the commit point at a deferred record until its ack, in whatever order acks come', () => {
      const t = new OffsetTracker();
      for (const o of [0, 1, 2, 3]) t.track('a', 0, o);
      const t1 = t.defer('a', 0, 1);
      const t2 = t.defer('a', 0, 2);
      for (const o of [0, 3]) t.complete('a', 0, o);
      expect(t.committable('a', 0)).toBe('1');
      expect(t.deferredCount()).toBe(2);
      // The later one first: nothing moves until the gap at 1 closes.
      expect(t.resolveDeferred('a', 0, 2, t2)).toBe(true);
      expect(t.committable('a', 0)).toBe('1');
      expect(t.resolveDeferred('a', 0, 1, t1)).toBe(true);
      expect(t.committable('a', 0)).toBe('4');
      expect(t.deferredCount()).toBe(0);
      expect(t.pendingCount('a', 0)).toBe(0);
    });

    it('steps over offset gaps once the deferred record before them is acked', () => {
      const t = new OffsetTracker();
      for (const o of [10, 14, 20]) t.track('a', 0, o);
      const ticket = t.defer('a', 0, 14);
      t.complete('a', 0, 10);
      t.complete('a', 0, 20);
      expect(t.committable('a', 0)).toBe('14');
      t.resolveDeferred('a', 0, 14, ticket);
      expect(t.committable('a', 0)).toBe('21');
    });

    it('refuses to defer what is not pending, and ignores a repeated ack', () => {
      const t = new OffsetTracker();
      t.track('a', 0, 0);
      t.track('a', 0, 1);
      t.complete('a', 0, 1);
      expect(() => t.defer('a', 0, 1)).toThrow(/offset 1 of a\/0 deferred but not pending/);
      expect(() => t.defer('a', 0, 7)).toThrow(/deferred but not pending/);
      const ticket = t.defer('a', 0, 0);
      expect(() => t.defer('a', 0, 0)).toThrow(/deferred but not pending/);
      expect(t.resolveDeferred('a', 0, 0, ticket)).toBe(true);
      expect(t.resolveDeferred('a', 0, 0, ticket)).toBe(false);
      expect(t.committable('a', 0)).toBe('2');
    });

    it('ignores acks for a revoked partition, also once it is assigned and tracked again', () => {
      const t = new OffsetTracker();
      for (const o of [0, 1]) t.track('a', 0, o);
      const stale = t.defer('a', 0, 0);
      t.complete('a', 0, 1);
      t.forget('a', 0);
      expect(t.deferredCount()).toBe(0);
      expect(t.resolveDeferred('a', 0, 0, stale)).toBe(false);
      // Back to this consumer: redelivered from the last commit, deferred again under a new ticket.
      for (const o of [0, 1]) t.track('a', 0, o);
      const fresh = t.defer('a', 0, 0);
      t.complete('a', 0, 1);
      expect(t.resolveDeferred('a', 0, 0, stale)).toBe(false);
      expect(t.committable('a', 0)).toBe('0');
      expect(t.resolveDeferred('a', 0, 0, fresh)).toBe(true);
      expect(t.committable('a', 0)).toBe('2');
    });

    it('dropFrom keeps deferred records below a redelivered batch and makes those in it stale', () => {
      const t = new OffsetTracker();
      for (const o of [0, 1, 2, 3]) t.track('a', 0, o);
      const kept = t.defer('a', 0, 0);
      t.complete('a', 0, 1);
      const dropped = t.defer('a', 0, 2);
      // The batch failed at 3; kafkajs delivers again from 2.
      t.dropFrom('a', 0, 2);
      expect(t.deferredCount()).toBe(1);
      expect(t.resolveDeferred('a', 0, 2, dropped)).toBe(false);
      for (const o of [2, 3]) t.track('a', 0, o);
      for (const o of [2, 3]) t.complete('a', 0, o);
      expect(t.committable('a', 0)).toBe('0');
      expect(t.resolveDeferred('a', 0, 0, kept)).toBe(true);
      expect(t.committable('a', 0)).toBe('4');
    });

    it('dropFrom past everything tracked changes nothing', () => {
      const t = new OffsetTracker();
      t.track('a', 0, 0);
      const ticket = t.defer('a', 0, 0);
      t.dropFrom('a', 0, 1);
      t.track('a', 0, 1);
      t.complete('a', 0, 1);
      expect(t.committable('a', 0)).toBe('0');
      t.resolveDeferred('a', 0, 0, ticket);
      expect(t.committable('a', 0)).toBe('2');
    });
  });
});
