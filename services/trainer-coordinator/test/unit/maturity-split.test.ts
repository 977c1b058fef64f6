import { describe, expect, it } from 'vitest';
import { maturitySplit, type FeatureRowInput, type LabelRowInput } from '../../src/domain/index.ts';

const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const feature = (i: number): FeatureRowInput => ({
  repoId: 'r',
  sha: `c${i}`,
  eventTimeMs: T0 + i * DAY,
  names: ['la'],
  values: [i],
});
const label = (i: number, knownDay: number, isBugInducing = true): LabelRowInput => ({
  repoId: 'r',
  sha: `c${i}`,
  knownAtMs: T0 + knownDay * DAY,
  isBugInducing,
  method: 'szz',
});

describe('maturitySplit', () => {
  // Ten commits on days 0..9; the newest 20% (days 8, 9) are the test period, so the test start is day 8.
  const features = [9, 3, 0, 5, 1, 7, 2, 8, 6, 4].map(feature);
  const labels = [
    label(2, 3), // known before the test start: a training positive
    label(1, 8), // found exactly at the test start: not yet known to training
    label(4, 5),
    label(4, 6, false), // retracted before the test start: negative
    label(9, 20), // found later: a test positive
    label(8, 40), // found after "now": not a positive yet
  ];
  const split = maturitySplit(features, labels, {
    featureNames: ['la'],
    testFraction: 0.2,
    gapMs: 2 * DAY,
    nowMs: T0 + 30 * DAY,
  });

  it('trains on commits before test start minus the gap, labelled as of the test start', () => {
    expect(split.train.ids).toEqual(['r:c0', 'r:c1', 'r:c2', 'r:c3', 'r:c4', 'r:c5']);
    expect([...split.train.y]).toEqual([0, 0, 1, 0, 0, 0]);
    expect(split.report.testStartMs).toBe(T0 + 8 * DAY);
    expect(split.report.gapRows).toBe(2); // days 6 and 7
    expect(split.report.trainLabelsNotYetKnown).toBe(1); // c1
  });

  it('judges the test period by every label known now', () => {
    expect(split.test.ids).toEqual(['r:c8', 'r:c9']);
    expect([...split.test.y]).toEqual([0, 1]);
    expect(split.report).toMatchObject({
      rows: 10,
      positives: 3,
      train: { rows: 6, positives: 1 },
      test: { rows: 2, positives: 1, labelRate: 0.5 },
    });
  });

  it('puts every commit of the test start instant into test', () => {
    const tied = [...[0, 1, 2, 3, 4, 5, 6, 7].map(feature), { ...feature(8), sha: 'c8b', eventTimeMs: T0 + 7 * DAY }];
    const s = maturitySplit(tied, [], { featureNames: ['la'], testFraction: 0.2, gapMs: 0, nowMs: T0 + 30 * DAY });
    // 9 rows, first test index 8 (day 7), and the two day-7 commits both land in test.
    expect(s.test.ids).toEqual(['r:c7', 'r:c8b']);
    expect(s.train.y.length).toBe(7);
  });

  it('refuses a split that leaves a side empty', () => {
    expect(() =>
      maturitySplit([feature(0)], [], { featureNames: ['la'], testFraction: 0.2, gapMs: 0, nowMs: T0 + DAY }),
    ).toThrow(RangeError);
  });
});
