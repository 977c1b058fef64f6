// The own-repository benchmark's split. A commit's bug is found late (its fix comes months
// after it), so a model deployed when the test period starts knows only the labels found by
// then, and the newest training commits look clean only because their fixes have not happened
// yet. Training therefore sees the labels known at the test start, and leaves out the commits of
// the `gap` before it (immature labels); test rows are judged by every label known now — the
// truth the future revealed. chronologicalSplit cannot do this alone: it splits one labelled
// table, and here the two sides are labelled as of different instants.
import { sliceRows, type Dataset } from './dataset.ts';
import {
  pointInTimeDataset,
  type FeatureRowInput,
  type LabelRowInput,
  type PointInTimeReport,
} from './training-set.ts';

export interface MaturitySplitOptions {
  readonly featureNames: readonly string[];
  /** Share of the commits (the newest) in the test period. */
  readonly testFraction: number;
  /** Label maturity: training commits end this long before the test period starts (ms). */
  readonly gapMs: number;
  /** The present: test rows are labelled with every label known by then (epoch ms). */
  readonly nowMs: number;
}

export interface MaturitySplitReport {
  /** Commits with complete features. */
  readonly rows: number;
  /** First commit of the test period (epoch ms); training labels are those known before it. */
  readonly testStartMs: number;
  readonly train: { readonly rows: number; readonly positives: number; readonly labelRate: number };
  readonly test: { readonly rows: number; readonly positives: number; readonly labelRate: number };
  /** Commits in the maturity gap, in neither side. */
  readonly gapRows: number;
  /** Training commits whose bug-inducing label became known only after the test start (they train as negatives). */
  readonly trainLabelsNotYetKnown: number;
  /** The whole history labelled as of now: positives and rate. */
  readonly positives: number;
  readonly labelRate: number;
  readonly all: PointInTimeReport;
}

const part = (d: Dataset): { rows: number; positives: number; labelRate: number } => {
  let positives = 0;
  for (const v of d.y) positives += v;
  return { rows: d.y.length, positives, labelRate: d.y.length > 0 ? positives / d.y.length : Number.NaN };
};

/** Train (labels known at the test start, gap left out) and test (labels known now) from the offline store's rows. */
export function maturitySplit(
  features: readonly FeatureRowInput[],
  labels: readonly LabelRowInput[],
  options: MaturitySplitOptions,
): { train: Dataset; test: Dataset; report: MaturitySplitReport } {
  const { featureNames, testFraction, gapMs, nowMs } = options;
  if (!(testFraction > 0 && testFraction < 1))
    throw new RangeError(`testFraction must be in (0, 1); got ${testFraction}`);
  if (!(gapMs >= 0)) throw new RangeError(`gap must be >= 0 ms; got ${gapMs}`);
  const all = pointInTimeDataset(features, labels, { featureNames, cutoffMs: nowMs });
  const n = all.dataset.y.length;
  const first = n - Math.floor(n * testFraction);
  if (n === 0 || first <= 0 || first >= n)
    throw new RangeError(`${n} commits leave no train or no test rows at testFraction ${testFraction}`);
  // Commits sharing the test start's instant all go to test: a time, not a row index, divides.
  const testStartMs = Math.round(all.dataset.time[first]! * 1000);
  const atStart = pointInTimeDataset(features, labels, { featureNames, cutoffMs: testStartMs - 1 });
  const trainEndMs = testStartMs - gapMs;
  let end = 0;
  while (end < atStart.dataset.y.length && atStart.dataset.time[end]! * 1000 < trainEndMs) end++;
  const train = sliceRows(atStart.dataset, 0, end);
  const test = pointInTimeDataset(features, labels, { featureNames, cutoffMs: nowMs, fromMs: testStartMs }).dataset;
  // Training commits positive as of now but not at the test start: the labels the gap could not wait for.
  let trainLabelsNotYetKnown = 0;
  const positiveNow = new Set<string>();
  all.dataset.ids?.forEach((id, i) => {
    if (all.dataset.y[i] === 1) positiveNow.add(id);
  });
  train.ids?.forEach((id, i) => {
    if (train.y[i] === 0 && positiveNow.has(id)) trainLabelsNotYetKnown++;
  });
  return {
    train,
    test,
    report: {
      rows: n,
      testStartMs,
      train: part(train),
      test: part(test),
      gapRows: atStart.dataset.y.length - end,
      trainLabelsNotYetKnown,
      positives: all.report.positives,
      labelRate: all.report.labelRate,
      all: all.report,
    },
  };
}
