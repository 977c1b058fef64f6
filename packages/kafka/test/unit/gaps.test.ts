import { describe, expect, it } from 'vitest';
import { describeOffsetGap, offsetGapHealth, type OffsetGap } from '../../src/gaps.ts';

const where = { group: 'featurizer', topic: 'scm.commits.v1', partition: 2 };

describe('describeOffsetGap', () => {
  it('names the exact deleted range and counts it when the position is below the log start', () => {
    const gap = describeOffsetGap({ ...where, policy: 'stop' }, '120', '500', '900');
    expect(gap).toMatchObject({
      kind: 'deleted',
      expected: '120',
      logStart: '500',
      logEnd: '900',
      skipped: 380,
      resumeAt: '500',
      policy: 'stop',
    });
    expect(gap?.reason).toContain(
      'offsets 120..499 of scm.commits.v1/2 (380 records) were deleted before group "featurizer" read them',
    );
    expect(gap?.reason).toContain('partition paused, nothing committed past 120');
  });

  it('says where a skip goes on', () => {
    const gap = describeOffsetGap({ ...where, policy: 'skip' }, '0', '1', '1');
    expect(gap).toMatchObject({ skipped: 1, resumeAt: '1' });
    expect(gap?.reason).toContain('offsets 0..0');
    expect(gap?.reason).toContain('policy skip: going on from offset 1');
  });

  it('reports a position past the log end as a truncated log, with no count it cannot know, resuming at the start', () => {
    const gap = describeOffsetGap({ ...where, policy: 'skip' }, '7000', '0', '10');
    expect(gap).toMatchObject({ kind: 'ahead', skipped: 0, resumeAt: '0' });
    expect(gap?.reason).toContain("past the log's end 10");
  });

  it('is no gap when the position is inside the log (start and end included): the fetch is simply retried', () => {
    for (const at of ['500', '700', '900'])
      expect(describeOffsetGap({ ...where, policy: 'stop' }, at, '500', '900')).toBeUndefined();
  });

  it('handles offsets beyond 2^53 exactly', () => {
    const gap = describeOffsetGap(
      { ...where, policy: 'stop' },
      '9007199254740993',
      '9007199254740995',
      '9007199254741000',
    );
    expect(gap?.skipped).toBe(2);
    expect(gap?.reason).toContain('offsets 9007199254740993..9007199254740994');
  });
});

describe('offsetGapHealth', () => {
  it('blocks health with the reason for a stopped partition, lifts it when the partition is revoked, and leaves skipped gaps to the metric and the log', () => {
    const blocked: Array<[string, string | undefined]> = [];
    const health = offsetGapHealth((name, reason) => blocked.push([name, reason]));
    health.onOffsetGap(describeOffsetGap({ ...where, policy: 'skip' }, '1', '5', '9') as OffsetGap);
    expect(blocked).toEqual([]);
    const stop = describeOffsetGap({ ...where, policy: 'stop' }, '1', '5', '9') as OffsetGap;
    health.onOffsetGap(stop);
    health.onOffsetGapCleared(stop);
    expect(blocked).toEqual([
      ['consumer featurizer on scm.commits.v1/2', stop.reason],
      ['consumer featurizer on scm.commits.v1/2', undefined],
    ]);
  });
});
