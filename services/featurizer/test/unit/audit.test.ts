import { describe, expect, it } from 'vitest';
import { audit, formatAudit, missingRanges } from '../../src/domain/audit.ts';

const order = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];

describe('missingRanges', () => {
  it('gives each run of absent commits in order with its count', () => {
    expect(missingRanges(order, new Set(['a1', 'a4', 'a5']))).toEqual([
      { first: 'a2', last: 'a3', count: 2 },
      { first: 'a6', last: 'a7', count: 2 },
    ]);
    expect(missingRanges(order, new Set(order))).toEqual([]);
  });
});

describe('audit', () => {
  it('fails on a required stage that misses commits and on commits featurized on a gap, not on informational ones', () => {
    const report = audit({
      repo: 'git:x',
      source: order,
      times: new Map(),
      onGap: new Set(['a5']),
      stages: [
        { stage: 'features', shas: new Set(['a1', 'a2', 'a5', 'a6', 'a7']), required: true },
        { stage: 'labels', shas: new Set(['a2']), required: false },
        { stage: 'predictions', shas: undefined, required: false, note: 'no table' },
      ],
    });
    expect(report.failed).toBe(true);
    expect(report.stages[0]).toMatchObject({ commits: 5, missing: 2, ranges: [{ first: 'a3', last: 'a4', count: 2 }] });
    expect(report.stages[1]).toMatchObject({ missing: 6, required: false });
    expect(report.stages[2]).toMatchObject({ commits: 0, missing: 0, note: 'no table' });
    expect(report.onGap).toEqual({ commits: 1, ranges: [{ first: 'a5', last: 'a5', count: 1 }] });
    expect(formatAudit(report)).toMatch(/a3\.\.a4 +\(2\)[\s\S]*INCOMPLETE/);
  });

  it('passes when only informational stages miss commits; judges a stage against its own subset', () => {
    const report = audit({
      repo: 'git:x',
      source: order,
      times: new Map(),
      onGap: new Set(),
      stages: [
        { stage: 'features', shas: new Set(order), required: true },
        // A log that kept only the newest three: judged from there, it misses nothing.
        { stage: 'log', shas: new Set(['a5', 'a6', 'a7']), required: false, against: new Set(['a5', 'a6', 'a7']) },
        { stage: 'labels', shas: new Set(), required: false },
      ],
    });
    expect(report.failed).toBe(false);
    expect(report.stages[1]!.missing).toBe(0);
    expect(formatAudit(report).split('\n').at(-1)).toBe('complete');
  });

  it("without a source orders every stage's commits by commit time and finds what one stage lacks", () => {
    const report = audit({
      repo: 'git:x',
      times: new Map([
        ['c', 3],
        ['a', 1],
        ['b', 2],
      ]),
      onGap: new Set(),
      stages: [
        { stage: 'log', shas: new Set(['a', 'b', 'c']), required: false },
        { stage: 'features', shas: new Set(['a', 'c']), required: true },
      ],
    });
    expect(report.reference).toBe('stages');
    expect(report.commits).toBe(3);
    expect(report.stages[1]!.ranges).toEqual([{ first: 'b', last: 'b', count: 1 }]);
    expect(report.failed).toBe(true);
  });

  it('fails when the featurizer group lost records, though every stage looks whole (a stop at a gap)', () => {
    const input = {
      repo: 'git:x',
      source: order,
      times: new Map<string, number>(),
      onGap: new Set<string>(),
      stages: [{ stage: 'features', shas: new Set(order), required: true }],
    };
    expect(audit(input).failed).toBe(false);
    const report = audit({
      ...input,
      groupGaps: [
        { group: 'featurizer', topic: 'scm.commits.v1', partition: 2, committed: '20', logStart: '820', lost: 800 },
      ],
    });
    expect(report.failed).toBe(true);
    expect(formatAudit(report).split('\n').slice(-2)).toEqual([
      '  LOST: offsets 20..819 of scm.commits.v1/2 (800 records) were deleted before group "featurizer" read them; any repository there may miss commits',
      'INCOMPLETE: see README "When commits were lost" for the way back',
    ]);
  });
});
