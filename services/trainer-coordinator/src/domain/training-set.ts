// Point-in-time assembly of a training table from offline-store rows. The cutoff is the instant
// the training run pretends to stand at: a row exists only if its commit happened by then, and
// it is labelled defect-inducing only by labels that were known by then. A label learned later
// (an SZZ fix after the cutoff) is exactly the future a deployed model would not have had, so it
// is excluded and counted, and the row stays a negative.
//
// Features need no "known at" filter of their own: a commit's features are a function of the
// repository history up to that commit (the featurizer's contract), so they are known at the
// commit's event time. `computed_at` is processing time and says nothing about what was known:
// a replay computes last year's features today.
import { DatasetError, type Dataset } from './dataset.ts';
import type { SplitReport } from './split.ts';

export interface FeatureRowInput {
  readonly repoId: string;
  readonly sha: string;
  /** Commit event time, epoch ms. */
  readonly eventTimeMs: number;
  readonly names: readonly string[];
  readonly values: readonly number[];
}

export interface LabelRowInput {
  readonly repoId: string;
  readonly sha: string;
  /** When the label became known, epoch ms. */
  readonly knownAtMs: number;
  readonly isBugInducing: boolean;
  /**
   * How the label was derived (szz, human, ...). A newer label of the same (repo, sha, method)
   * supersedes an older one — that is how the featurizer retracts a label — so per method only
   * the newest label known at the cutoff counts. @default '' (one method)
   */
  readonly method?: string;
}

export interface PointInTimeOptions {
  /** The feature set's order: the dataset's columns. */
  readonly featureNames: readonly string[];
  /** Nothing after this instant (epoch ms) is used. */
  readonly cutoffMs: number;
  /** Rows with an event time before this (epoch ms) are left out. @default none */
  readonly fromMs?: number;
}

export interface PointInTimeReport {
  readonly cutoffMs: number;
  readonly fromMs: number | null;
  readonly rows: number;
  readonly positives: number;
  readonly labelRate: number;
  /** Feature rows whose commit is after the cutoff (not yet happened). */
  readonly rowsAfterCutoff: number;
  readonly rowsBeforeFrom: number;
  /** Rows dropped because a feature of the set was absent or not finite, by feature. */
  readonly rowsMissingFeatures: number;
  readonly missingByFeature: Readonly<Record<string, number>>;
  /** Duplicate (repo, sha) feature rows after the first. */
  readonly duplicateRows: number;
  /** Positive labels used (known by the cutoff, for a row in the table). */
  readonly labelsUsed: number;
  /** Positive labels for rows in the table that became known only after the cutoff. */
  readonly labelsExcludedAfterCutoff: number;
  /** Latest known-at among the labels used (epoch ms; null when none): must be <= cutoff. */
  readonly latestLabelKnownAtMs: number | null;
  /** Earliest and latest event time of the rows (epoch ms; null when empty). */
  readonly firstEventMs: number | null;
  readonly lastEventMs: number | null;
}

const key = (repoId: string, sha: string): string => `${repoId}\u0000${sha}`;

/**
 * The labelled table as of `cutoffMs`: one row per commit (features in `featureNames` order),
 * y = 1 when a bug-inducing label for it was known by the cutoff, time in unix seconds, sorted by
 * time (ties by id, so the result does not depend on the input order).
 */
export function pointInTimeDataset(
  features: Iterable<FeatureRowInput>,
  labels: Iterable<LabelRowInput>,
  options: PointInTimeOptions,
): { dataset: Dataset; report: PointInTimeReport } {
  const { featureNames, cutoffMs } = options;
  const fromMs = options.fromMs ?? null;
  if (!Number.isFinite(cutoffMs)) throw new RangeError(`cutoff must be a finite epoch-ms time; got ${cutoffMs}`);
  if (fromMs !== null && !(fromMs < cutoffMs))
    throw new RangeError(
      `from (${new Date(fromMs).toISOString()}) must be before the cutoff (${new Date(cutoffMs).toISOString()})`,
    );
  const f = featureNames.length;
  if (f === 0) throw new DatasetError('DATASET_SHAPE', 'feature set has no features');

  let rowsAfterCutoff = 0;
  let rowsBeforeFrom = 0;
  let rowsMissingFeatures = 0;
  let duplicateRows = 0;
  const missingByFeature: Record<string, number> = {};
  const kept = new Map<string, { id: string; t: number; x: Float64Array }>();
  for (const row of features) {
    if (row.eventTimeMs > cutoffMs) {
      rowsAfterCutoff++;
      continue;
    }
    if (fromMs !== null && row.eventTimeMs < fromMs) {
      rowsBeforeFrom++;
      continue;
    }
    const k = key(row.repoId, row.sha);
    if (kept.has(k)) {
      duplicateRows++;
      continue;
    }
    const x = new Float64Array(f);
    let complete = true;
    for (let j = 0; j < f; j++) {
      const at = row.names.indexOf(featureNames[j]!);
      const v = at < 0 ? Number.NaN : Number(row.values[at]);
      if (!Number.isFinite(v)) {
        complete = false;
        missingByFeature[featureNames[j]!] = (missingByFeature[featureNames[j]!] ?? 0) + 1;
      }
      x[j] = v;
    }
    if (!complete) {
      rowsMissingFeatures++;
      continue;
    }
    kept.set(k, { id: `${row.repoId}:${row.sha}`, t: row.eventTimeMs, x });
  }

  // Per (row, method): the newest label known at the cutoff decides (a later retraction or a
  // later positive is not known yet). A row is positive when any method's verdict is.
  const newestAtCutoff = new Map<string, LabelRowInput>();
  const lateOnly = new Set<string>();
  for (const l of labels) {
    const k = key(l.repoId, l.sha);
    if (!kept.has(k)) continue;
    if (l.knownAtMs > cutoffMs) {
      if (l.isBugInducing) lateOnly.add(k);
      continue;
    }
    const km = `${k}\u0000${l.method ?? ''}`;
    const seen = newestAtCutoff.get(km);
    // Ties (same instant) resolve to the positive: the featurizer never stamps a retraction at
    // the instant of the label it retracts.
    if (!seen || l.knownAtMs > seen.knownAtMs || (l.knownAtMs === seen.knownAtMs && l.isBugInducing))
      newestAtCutoff.set(km, l);
  }
  const positive = new Set<string>();
  let latestLabelKnownAtMs: number | null = null;
  for (const l of newestAtCutoff.values()) {
    if (!l.isBugInducing) continue;
    positive.add(key(l.repoId, l.sha));
    latestLabelKnownAtMs = Math.max(latestLabelKnownAtMs ?? -Infinity, l.knownAtMs);
  }
  for (const k of positive) lateOnly.delete(k);

  const ordered = [...kept.entries()].sort(([, a], [, b]) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = ordered.length;
  const x = new Float64Array(n * f);
  const y = new Uint8Array(n);
  const time = new Float64Array(n);
  const ids: string[] = [];
  ordered.forEach(([k, r], i) => {
    x.set(r.x, i * f);
    y[i] = positive.has(k) ? 1 : 0;
    time[i] = r.t / 1000;
    ids.push(r.id);
  });
  return {
    dataset: { featureNames: [...featureNames], x, y, time, ids },
    report: {
      cutoffMs,
      fromMs,
      rows: n,
      positives: positive.size,
      labelRate: n > 0 ? positive.size / n : Number.NaN,
      rowsAfterCutoff,
      rowsBeforeFrom,
      rowsMissingFeatures,
      missingByFeature,
      duplicateRows,
      labelsUsed: positive.size,
      labelsExcludedAfterCutoff: lateOnly.size,
      latestLabelKnownAtMs,
      firstEventMs: n > 0 ? ordered[0]![1].t : null,
      lastEventMs: n > 0 ? ordered[n - 1]![1].t : null,
    },
  };
}

export interface DataCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
  /** A failed required check fails the run; the others are recorded. */
  readonly required: boolean;
}

export interface DataCheckOptions {
  readonly cutoffMs: number;
  /** Seconds required between the last training row and the first test row. */
  readonly gapSeconds: number;
  readonly minTrainRows: number;
}

const iso = (seconds: number): string => (Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : 'none');

/**
 * The checks a run records about its training set. Each can fail: they re-derive from the split
 * itself what the construction promised (nothing after the cutoff, test strictly after train).
 */
export function trainingSetChecks(
  split: { train: Dataset; test: Dataset; report: SplitReport },
  pit: Pick<PointInTimeReport, 'latestLabelKnownAtMs' | 'labelsExcludedAfterCutoff'> | undefined,
  options: DataCheckOptions,
): DataCheck[] {
  const { train, test } = split;
  const lastTrain = train.time.length > 0 ? train.time[train.time.length - 1]! : Number.NaN;
  const firstTest = test.time.length > 0 ? test.time[0]! : Number.NaN;
  let maxTime = -Infinity;
  for (const d of [train, test]) for (let i = 0; i < d.time.length; i++) maxTime = Math.max(maxTime, d.time[i]!);
  let trainPos = 0;
  for (let i = 0; i < train.y.length; i++) trainPos += train.y[i]!;
  let testPos = 0;
  for (let i = 0; i < test.y.length; i++) testPos += test.y[i]!;
  let earlier = 0;
  for (let i = 0; i < test.time.length; i++) if (test.time[i]! < lastTrain) earlier++;
  const checks: DataCheck[] = [
    {
      name: 'no_test_row_precedes_a_train_row',
      passed: earlier === 0,
      detail:
        earlier === 0
          ? `last train row ${iso(lastTrain)} <= first test row ${iso(firstTest)}`
          : `${earlier} test rows precede the last train row (${iso(lastTrain)})`,
      required: true,
    },
    {
      name: 'gap_between_train_and_test',
      passed: !(firstTest - lastTrain < options.gapSeconds),
      detail: `${Number.isFinite(firstTest - lastTrain) ? Math.round(firstTest - lastTrain) : 'n/a'} s between train and test (required ${options.gapSeconds} s; ${split.report.gapRows} rows dropped)`,
      required: true,
    },
    {
      name: 'rows_known_by_cutoff',
      passed: maxTime * 1000 <= options.cutoffMs,
      detail: `newest row ${iso(maxTime)}, cutoff ${new Date(options.cutoffMs).toISOString()}`,
      required: true,
    },
  ];
  if (pit) {
    const latest = pit.latestLabelKnownAtMs;
    checks.push({
      name: 'labels_known_by_cutoff',
      passed: latest === null || latest <= options.cutoffMs,
      detail: `latest label used known at ${latest === null ? 'none' : new Date(latest).toISOString()}; ${pit.labelsExcludedAfterCutoff} labels known only after the cutoff excluded`,
      required: true,
    });
  }
  checks.push(
    {
      name: 'min_train_rows',
      passed: train.y.length >= options.minTrainRows,
      detail: `${train.y.length} train rows (minimum ${options.minTrainRows})`,
      required: true,
    },
    {
      name: 'both_classes_in_train',
      passed: trainPos > 0 && trainPos < train.y.length,
      detail: `${trainPos} positives of ${train.y.length} train rows`,
      required: true,
    },
    {
      name: 'both_classes_in_test',
      passed: testPos > 0 && testPos < test.y.length,
      detail: `${testPos} positives of ${test.y.length} test rows (AUC needs both)`,
      required: true,
    },
  );
  return checks;
}
