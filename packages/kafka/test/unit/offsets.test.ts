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
});
