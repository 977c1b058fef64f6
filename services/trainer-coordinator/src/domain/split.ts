import { DatasetError, positiveRate, sliceRows, takeRows, type Dataset } from './dataset.ts';

export interface ChronologicalSplitOptions {
  /** Share of rows (the newest) held out as the test split. @default 0.2 */
  readonly testFraction?: number;
  /**
   * Rows dropped between train and test so the model never learns from changes whose labels
   * could not yet be known when the test period starts. `{ rows }` drops the newest training
   * rows; `{ seconds }` drops training rows newer than `testStart - seconds`. @default none
   */
  readonly gap?: { readonly rows: number } | { readonly seconds: number };
  /** Share of the training rows (the newest of them) carved out for early stopping and tuning. @default 0.2 */
  readonly validationFraction?: number;
}

export interface SplitPartReport {
  readonly rows: number;
  readonly positives: number;
  readonly labelRate: number;
  readonly firstTime: number;
  readonly lastTime: number;
}

export interface SplitReport {
  readonly fit: SplitPartReport;
  readonly validation: SplitPartReport;
  readonly test: SplitPartReport;
  readonly gapRows: number;
  /** True when the input had to be re-sorted by time. */
  readonly resorted: boolean;
}

export interface ChronologicalSplit {
  /** Training rows minus the validation slice: what early-stopped models are fitted on. */
  readonly fit: Dataset;
  /** The newest training rows; never overlaps test. Empty when validationFraction = 0. */
  readonly validation: Dataset;
  /** fit ∪ validation, in time order: what a final model may be refitted on. */
  readonly train: Dataset;
  readonly test: Dataset;
  readonly report: SplitReport;
}

function checkFraction(key: string, v: number, min: number, max: number): void {
  if (!(v >= min && v < max)) throw new RangeError(`${key} must be in [${min}, ${max}); got ${v}`);
}

/** Stable sort by time; returns the input itself when it is already sorted. */
export function sortByTime(d: Dataset): { dataset: Dataset; resorted: boolean } {
  let sorted = true;
  for (let i = 1; i < d.time.length && sorted; i++) if (d.time[i]! < d.time[i - 1]!) sorted = false;
  if (sorted) return { dataset: d, resorted: false };
  const order = Array.from({ length: d.time.length }, (_, i) => i);
  order.sort((a, b) => d.time[a]! - d.time[b]! || a - b);
  return { dataset: takeRows(d, order), resorted: true };
}

/**
 * Splits time-sorted training rows into fit rows and the newest `fraction` as validation, so
 * early stopping and tuning never touch test rows.
 */
export function carveValidation(train: Dataset, fraction: number): { fit: Dataset; validation: Dataset } {
  checkFraction('validationFraction', fraction, 0, 1);
  const n = train.y.length;
  const start = n - Math.floor(n * fraction);
  if (start <= 0)
    throw new DatasetError('DATASET_EMPTY', `validationFraction ${fraction} of ${n} rows leaves no fit rows`);
  return { fit: sliceRows(train, 0, start), validation: sliceRows(train, start, n) };
}

function partReport(d: Dataset): SplitPartReport {
  let positives = 0;
  for (let i = 0; i < d.y.length; i++) positives += d.y[i]!;
  const n = d.y.length;
  return {
    rows: n,
    positives,
    labelRate: positiveRate(d.y),
    firstTime: n > 0 ? d.time[0]! : Number.NaN,
    lastTime: n > 0 ? d.time[n - 1]! : Number.NaN,
  };
}

/**
 * Train/validation/test by time: test is the newest `testFraction` of rows, validation the newest
 * `validationFraction` of what remains for training (after the gap). Throws if any test row
 * precedes a training row, which would mean the model saw the future.
 */
export function chronologicalSplit(data: Dataset, options: ChronologicalSplitOptions = {}): ChronologicalSplit {
  const testFraction = options.testFraction ?? 0.2;
  const validationFraction = options.validationFraction ?? 0.2;
  checkFraction('testFraction', testFraction, Number.MIN_VALUE, 1);
  checkFraction('validationFraction', validationFraction, 0, 1);
  const { dataset: d, resorted } = sortByTime(data);
  const n = d.y.length;
  const testStart = Math.floor(n * (1 - testFraction));
  if (testStart <= 0 || testStart >= n) {
    throw new DatasetError(
      'DATASET_EMPTY',
      `testFraction ${testFraction} of ${n} rows leaves an empty train or test split`,
    );
  }
  let trainEnd = testStart;
  const gap = options.gap;
  if (gap && 'rows' in gap) {
    if (!(Number.isInteger(gap.rows) && gap.rows >= 0))
      throw new RangeError(`gap.rows must be a non-negative integer; got ${gap.rows}`);
    trainEnd = Math.max(0, testStart - gap.rows);
  } else if (gap && 'seconds' in gap) {
    if (!(gap.seconds >= 0)) throw new RangeError(`gap.seconds must be >= 0; got ${gap.seconds}`);
    const cutoff = d.time[testStart]! - gap.seconds;
    while (trainEnd > 0 && d.time[trainEnd - 1]! > cutoff) trainEnd--;
  }
  if (trainEnd <= 0)
    throw new DatasetError('DATASET_EMPTY', `no training rows left after a gap of ${testStart - trainEnd} rows`);
  const train = sliceRows(d, 0, trainEnd);
  const { fit, validation } = carveValidation(train, validationFraction);
  const test = sliceRows(d, testStart, n);
  if (train.time[train.time.length - 1]! > test.time[0]!) {
    throw new DatasetError('DATASET_ORDER', 'a test row precedes a training row');
  }
  return {
    fit,
    validation,
    train,
    test,
    report: {
      fit: partReport(fit),
      validation: partReport(validation),
      test: partReport(test),
      gapRows: testStart - trainEnd,
      resorted,
    },
  };
}
