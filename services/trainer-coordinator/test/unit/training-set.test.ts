import { describe, expect, it } from 'vitest';
import {
  chronologicalSplit,
  pointInTimeDataset,
  trainingSetChecks,
  type FeatureRowInput,
  type LabelRowInput,
} from '../../src/domain/index.ts';

const NAMES = ['la', 'ld', 'fix'];
const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

function feature(i: number, overrides: Partial<FeatureRowInput> = {}): FeatureRowInput {
  return {
    repoId: 'r',
    sha: `c${i}`,
    eventTimeMs: T0 + i * DAY,
    names: ['fix', 'la', 'ld'],
    values: [i % 2, 10 + i, i],
    ...overrides,
  };
}

describe('pointInTimeDataset', () => {
  it('orders columns by the feature set, rows by time, and labels only with what was known by the cutoff', () => {
    const cutoff = T0 + 10 * DAY;
    const features = [feature(3), feature(1), feature(2), feature(12) /* after the cutoff */];
    const labels: LabelRowInput[] = [
      { repoId: 'r', sha: 'c1', knownAtMs: T0 + 5 * DAY, isBugInducing: true },
      { repoId: 'r', sha: 'c2', knownAtMs: T0 + 11 * DAY, isBugInducing: true }, // learned after the cutoff
      { repoId: 'r', sha: 'c3', knownAtMs: T0 + 4 * DAY, isBugInducing: false }, // a fix label, not a defect
      { repoId: 'r', sha: 'c12', knownAtMs: T0 + 13 * DAY, isBugInducing: true }, // row not in the table
    ];
    const { dataset, report } = pointInTimeDataset(features, labels, { featureNames: NAMES, cutoffMs: cutoff });
    expect(dataset.featureNames).toEqual(NAMES);
    expect(dataset.ids).toEqual(['r:c1', 'r:c2', 'r:c3']);
    expect([...dataset.x]).toEqual([11, 1, 1, 12, 2, 0, 13, 3, 1]);
    expect([...dataset.y]).toEqual([1, 0, 0]);
    expect([...dataset.time]).toEqual([1, 2, 3].map((i) => (T0 + i * DAY) / 1000));
    expect(report).toMatchObject({
      rows: 3,
      positives: 1,
      rowsAfterCutoff: 1,
      labelsUsed: 1,
      labelsExcludedAfterCutoff: 1,
      latestLabelKnownAtMs: T0 + 5 * DAY,
    });

    // The same rows a day after c2's label was learned: now it counts.
    const later = pointInTimeDataset(features, labels, { featureNames: NAMES, cutoffMs: T0 + 11 * DAY });
    expect([...later.dataset.y]).toEqual([1, 1, 0]);
    expect(later.report.labelsExcludedAfterCutoff).toBe(0);
  });

  it('takes per method the newest label known at the cutoff: a retraction ends a positive only from its own time on', () => {
    const features = [feature(1), feature(2), feature(3)];
    const labels: LabelRowInput[] = [
      // c1: SZZ positive on day 5, retracted on day 8 (its fix's bug issue was reclassified).
      { repoId: 'r', sha: 'c1', method: 'szz', knownAtMs: T0 + 5 * DAY, isBugInducing: true },
      { repoId: 'r', sha: 'c1', method: 'szz', knownAtMs: T0 + 8 * DAY, isBugInducing: false },
      // c2: retracted by SZZ, but a human label still says bug-inducing.
      { repoId: 'r', sha: 'c2', method: 'szz', knownAtMs: T0 + 5 * DAY, isBugInducing: true },
      { repoId: 'r', sha: 'c2', method: 'szz', knownAtMs: T0 + 8 * DAY, isBugInducing: false },
      { repoId: 'r', sha: 'c2', method: 'human', knownAtMs: T0 + 6 * DAY, isBugInducing: true },
      // c3: retracted on day 8, restored on day 12 (the issue became a bug again).
      { repoId: 'r', sha: 'c3', method: 'szz', knownAtMs: T0 + 5 * DAY, isBugInducing: true },
      { repoId: 'r', sha: 'c3', method: 'szz', knownAtMs: T0 + 8 * DAY, isBugInducing: false },
      { repoId: 'r', sha: 'c3', method: 'szz', knownAtMs: T0 + 12 * DAY, isBugInducing: true },
    ];
    const y = (cutoffDay: number) => [
      ...pointInTimeDataset(features, labels, { featureNames: NAMES, cutoffMs: T0 + cutoffDay * DAY }).dataset.y,
    ];
    expect(y(7)).toEqual([1, 1, 1]); // before the retractions were known
    expect(y(9)).toEqual([0, 1, 0]);
    expect(y(13)).toEqual([0, 1, 1]);
    // At day 9, c3's positive of day 12 is a label learned after the cutoff.
    expect(pointInTimeDataset(features, labels, { featureNames: NAMES, cutoffMs: T0 + 9 * DAY }).report).toMatchObject({
      positives: 1,
      labelsExcludedAfterCutoff: 1,
    });
  });

  it('drops rows before `from`, duplicates, and rows missing a feature, and counts each', () => {
    const features = [
      feature(1),
      feature(2),
      feature(2, { values: [0, 99, 99] }),
      feature(3, { names: ['la', 'ld'], values: [1, 2] }),
      feature(4, { values: [0, Number.NaN, 1] }),
    ];
    const { dataset, report } = pointInTimeDataset(features, [], {
      featureNames: NAMES,
      cutoffMs: T0 + 100 * DAY,
      fromMs: T0 + 2 * DAY,
    });
    expect(dataset.ids).toEqual(['r:c2']);
    expect([...dataset.x]).toEqual([12, 2, 0]);
    expect(report).toMatchObject({
      rowsBeforeFrom: 1,
      duplicateRows: 1,
      rowsMissingFeatures: 2,
      missingByFeature: { fix: 1, la: 1 },
    });
    expect(() => pointInTimeDataset([], [], { featureNames: NAMES, cutoffMs: T0, fromMs: T0 + 1 })).toThrow(
      /before the cutoff/,
    );
  });
});

describe('trainingSetChecks', () => {
  const rows = Array.from({ length: 40 }, (_, i) => feature(i));
  const labels = rows
    .filter((_, i) => i % 4 === 0)
    .map((r) => ({ repoId: 'r', sha: r.sha, knownAtMs: r.eventTimeMs, isBugInducing: true }));

  it('pass on a correct point-in-time split with a gap', () => {
    const cutoff = T0 + 50 * DAY;
    const { dataset, report } = pointInTimeDataset(rows, labels, { featureNames: NAMES, cutoffMs: cutoff });
    const split = chronologicalSplit(dataset, {
      testFraction: 0.25,
      gap: { seconds: 2 * 86_400 },
      validationFraction: 0,
    });
    const checks = trainingSetChecks(split, report, { cutoffMs: cutoff, gapSeconds: 2 * 86_400, minTrainRows: 10 });
    expect(checks.filter((c) => !c.passed)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual([
      'no_test_row_precedes_a_train_row',
      'gap_between_train_and_test',
      'rows_known_by_cutoff',
      'labels_known_by_cutoff',
      'min_train_rows',
      'both_classes_in_train',
      'both_classes_in_test',
    ]);
    expect(split.report.gapRows).toBe(1);
  });

  it('fail when a test row precedes a train row, a row or label is after the cutoff, or the gap is short', () => {
    const { dataset } = pointInTimeDataset(rows, labels, { featureNames: NAMES, cutoffMs: T0 + 50 * DAY });
    const split = chronologicalSplit(dataset, { testFraction: 0.25, validationFraction: 0 });
    // Swap a test row's time with the first train row's: the split no longer respects time.
    const test = { ...split.test, time: Float64Array.from(split.test.time, (t, i) => (i === 3 ? 0 : t)) };
    const byName = (cs: ReturnType<typeof trainingSetChecks>) => Object.fromEntries(cs.map((c) => [c.name, c.passed]));
    const checks = byName(
      trainingSetChecks(
        { ...split, test },
        { latestLabelKnownAtMs: T0 + 60 * DAY, labelsExcludedAfterCutoff: 0 },
        { cutoffMs: T0 + 20 * DAY, gapSeconds: 86_400 * 3, minTrainRows: 100 },
      ),
    );
    expect(checks).toMatchObject({
      no_test_row_precedes_a_train_row: false,
      rows_known_by_cutoff: false,
      labels_known_by_cutoff: false,
      gap_between_train_and_test: false,
      min_train_rows: false,
      both_classes_in_train: true,
    });
  });
});
