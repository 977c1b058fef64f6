import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  DEFAULT_THRESHOLDS,
  correctFeatureTests,
  driftRecords,
  driftReason,
  evaluateWindow,
  reportMessage,
  reportsFromRecords,
  type DriftTest,
} from '../../src/domain/report.ts';
import { ModelWindows, type Reference } from '../../src/domain/window.ts';
import { normal, referenceStats, rng } from '../helpers/reference.ts';

const random = rng(7);
const train = Array.from({ length: 5000 }, () => normal(random, 10, 2));
const flags = Array.from({ length: 5000 }, () => (random() < 0.3 ? 1 : 0));
const probs = Array.from({ length: 5000 }, () => random() * 0.5);
const reference: Reference = {
  model: 'jit',
  version: 'v3',
  featureSet: { name: 'fs', version: 1 },
  stats: referenceStats({ la: { sample: train }, fix: { sample: flags, categorical: true } }, probs, 0.2),
};

function window(shift: number, flagRate: number, n = 600) {
  const w = new ModelWindows('jit', { windowMs: 60_000, latenessMs: 0, maxSamples: 10_000 });
  for (let i = 0; i < n; i++) {
    w.add(reference, {
      kind: 'features',
      eventId: `f${i}`,
      eventTime: i,
      repo: 'gh:a/b',
      values: { la: normal(random, 10 + shift, 2), fix: random() < flagRate ? 1 : 0 },
    });
    w.add(reference, {
      kind: 'prediction',
      eventId: `p${i}`,
      eventTime: i,
      repo: 'gh:a/b',
      value: random() * 0.5 + shift / 10,
    });
    w.add(reference, {
      kind: 'label',
      eventId: `l${i}`,
      eventTime: i,
      repo: 'gh:a/b',
      positive: random() < 0.2 + shift / 10,
    });
  }
  w.add(reference, { kind: 'label', eventId: 'closer', eventTime: 120_000, repo: 'other', positive: false });
  return w.takeClosed().find((c) => c.repo === '*')!;
}

describe('evaluateWindow', () => {
  it('runs PSI, JS, KS and Wasserstein on numeric features and predictions, chi2 and JS on categorical features, chi2 on the label rate; nothing drifts on the training distribution', () => {
    const r = evaluateWindow(window(0, 0.3), DEFAULT_THRESHOLDS, 100, 1_000);
    expect(r.tests.map((t) => `${t.target}:${t.feature}:${t.statistic}`).sort()).toEqual([
      'feature:fix:chi2',
      'feature:fix:js',
      'feature:la:js',
      'feature:la:ks',
      'feature:la:psi',
      'feature:la:wasserstein',
      'label:is_bug_inducing:chi2',
      'prediction:bug_probability:js',
      'prediction:bug_probability:ks',
      'prediction:bug_probability:psi',
      'prediction:bug_probability:wasserstein',
    ]);
    // A 5,000-row reference: Evidently's defaults above 1,000 rows decide.
    expect(
      r.tests
        .filter((t) => t.decisive)
        .map((t) => `${t.feature}:${t.statistic}`)
        .sort(),
    ).toEqual(['bug_probability:wasserstein', 'fix:js', 'is_bug_inducing:chi2', 'la:wasserstein']);
    expect(r.driftShare).toBe(0);
    expect(r.tests.filter((t) => t.drifted)).toEqual([]);
    expect(r.drifted).toBe(false);
    expect(r.reportId).toBe('jit:v3:*:60000');
    expect(r.tests.every((t) => t.sampleSize === 600)).toBe(true);
  });

  it('flags the shifted feature, the shifted category shares, predictions and label rate', () => {
    const r = evaluateWindow(window(1.5, 0.6), DEFAULT_THRESHOLDS, 100, 1_000);
    const drifted = new Set(r.tests.filter((t) => t.drifted).map((t) => `${t.feature}:${t.statistic}`));
    for (const k of [
      'la:psi',
      'la:ks',
      'la:js',
      'la:wasserstein',
      'fix:chi2',
      'bug_probability:psi',
      'bug_probability:wasserstein',
      'is_bug_inducing:chi2',
    ])
      expect(drifted).toContain(k);
    expect(r.drifted).toBe(true);
    expect(r.driftShare).toBe(1);
    expect(driftReason(r)).toMatch(
      /^drift \(100% of features drifted\) in all repositories over 1970-01-01T00:00:00.000Z\.\.1970-01-01T00:01:00.000Z: /,
    );
  });

  it('skips tests below the minimum sample size', () => {
    expect(evaluateWindow(window(0, 0.3, 50), DEFAULT_THRESHOLDS, 100, 1).tests).toEqual([]);
  });
});

describe('report shapes', () => {
  it('makes one monitoring.drift.v1 record per test with the deterministic event id, and rebuilds the report from them', () => {
    const r = evaluateWindow(window(1.5, 0.6), DEFAULT_THRESHOLDS, 100, 1_234);
    const records = driftRecords(r);
    expect(records).toHaveLength(r.tests.length);
    expect(records[0]!.event_id).toBe(`*:jit:v3:${records[0]!.feature}:${records[0]!.statistic}:60000`);
    expect(new Set(records.map((x) => x.event_id)).size).toBe(records.length);
    expect(
      records.every(
        (x) =>
          x.window_start === 0 && x.window_end === 60_000 && x.reference_version === 'v3' && x.event_time === 1_234,
      ),
    ).toBe(true);
    // The expected AUC goes to the performance table, not into the test records.
    const { performance: _performance, ...tests } = r;
    expect(reportsFromRecords(records)).toEqual([tests]);
  });

  it('maps to the proto message with enum names and p-values only where a test has one', () => {
    const r = evaluateWindow(window(0, 0.3), DEFAULT_THRESHOLDS, 100, 1_500);
    const m = reportMessage(r);
    expect(m.window_end).toEqual({ seconds: '60', nanos: 0 });
    expect(m.computed_at).toEqual({ seconds: '1', nanos: 500_000_000 });
    const psi = m.features!.find((f) => f.statistic === 'DRIFT_STATISTIC_PSI' && f.feature === 'la')!;
    expect(psi.target).toBe('DRIFT_TARGET_FEATURE');
    expect('p_value' in psi).toBe(false);
    const ks = m.features!.find((f) => f.statistic === 'DRIFT_STATISTIC_KS' && f.feature === 'la')!;
    expect(ks.p_value).toBeGreaterThan(0.01);
    expect(ks.current_proportions).toEqual([]);
  });

  it("records the window's shares on the reference's bins on the binned tests, for reference-vs-current charts", () => {
    const r = evaluateWindow(window(1.5, 0.6), DEFAULT_THRESHOLDS, 100, 1);
    const ref = reference.stats.features.find((f) => f.name === 'la')!.histogram;
    const psi = r.tests.find((t) => t.feature === 'la' && t.statistic === 'psi')!;
    expect(psi.currentProportions).toHaveLength(ref.edges.length + 1);
    expect(psi.currentProportions!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // Shifted up by 0.75 sd: the window holds less than the reference below the median bin's edge.
    const mid = Math.floor(ref.edges.length / 2);
    const below = (p: readonly number[]) => p.slice(0, mid + 1).reduce((a, b) => a + b, 0);
    expect(below(psi.currentProportions!)).toBeLessThan(below(ref.proportions) - 0.1);
    expect(
      reportMessage(r).features!.find((f) => f.feature === 'la' && f.statistic === 'DRIFT_STATISTIC_PSI')!
        .current_proportions,
    ).toEqual(psi.currentProportions);
  });
});

describe('per-type defaults, drift share and the correction', () => {
  // A reference of 800 rows: Evidently's defaults at or below 1,000 rows are KS and χ².
  const small: Reference = {
    ...reference,
    stats: referenceStats(
      { la: { sample: train.slice(0, 800) }, fix: { sample: flags.slice(0, 800), categorical: true } },
      probs.slice(0, 800),
      0.2,
    ),
  };

  function smallWindow(shift: number, flagRate: number) {
    const w = new ModelWindows('jit', { windowMs: 60_000, latenessMs: 0, maxSamples: 10_000 });
    for (let i = 0; i < 600; i++)
      w.add(small, {
        kind: 'features',
        eventId: `f${i}`,
        eventTime: i,
        repo: 'r',
        values: { la: normal(random, 10 + shift, 2), fix: random() < flagRate ? 1 : 0 },
      });
    w.add(small, { kind: 'features', eventId: 'closer', eventTime: 120_000, repo: 'other', values: {} });
    return w.takeClosed().find((c) => c.repo === '*')!;
  }

  it('lets KS and chi2 decide below 1,000 reference rows, Wasserstein and JS above, or what is configured', () => {
    const r = evaluateWindow(smallWindow(0, 0.3), DEFAULT_THRESHOLDS, 100, 1);
    expect(
      r.tests
        .filter((t) => t.decisive)
        .map((t) => `${t.feature}:${t.statistic}`)
        .sort(),
    ).toEqual(['fix:chi2', 'la:ks']);
    const forced = evaluateWindow(smallWindow(0, 0.3), DEFAULT_THRESHOLDS, 100, 1, {
      ...DEFAULT_POLICY,
      numeric: 'psi',
      categorical: 'js',
    });
    expect(
      forced.tests
        .filter((t) => t.decisive)
        .map((t) => `${t.feature}:${t.statistic}`)
        .sort(),
    ).toEqual(['fix:js', 'la:psi']);
  });

  it('calls the features drifted when the share of drifted features reaches the threshold', () => {
    // Only la shifts: one of two features, share 0.5.
    const w = () => smallWindow(1.5, 0.3);
    const half = evaluateWindow(w(), DEFAULT_THRESHOLDS, 100, 1);
    expect(half.driftShare).toBe(0.5);
    expect(half.drifted).toBe(true);
    const strict = evaluateWindow(w(), DEFAULT_THRESHOLDS, 100, 1, { ...DEFAULT_POLICY, driftShare: 0.6 });
    expect(strict.driftShare).toBe(0.5);
    expect(strict.drifted).toBe(false);
    expect(
      driftRecords(strict)
        .filter((x) => x.target === 'feature')
        .every((x) => x.drift_share === 0.5 && x.window_drifted === false),
    ).toBe(true);
  });

  it('adjusts the features p-values with Benjamini-Hochberg and decides on the adjusted value', () => {
    const tests: DriftTest[] = ['a', 'b', 'c'].map((feature, i) => ({
      feature,
      target: 'feature',
      statistic: 'ks',
      value: 0,
      pValue: [0.02, 0.04, 0.5][i]!,
      pValueAdjusted: null,
      threshold: 0.05,
      drifted: true,
      sampleSize: 1,
      referenceSize: 1,
      decisive: true,
    }));
    correctFeatureTests(tests, 'bh');
    expect(tests.map((t) => t.pValueAdjusted)).toEqual([0.06, 0.06, 0.5]);
    expect(tests.map((t) => t.drifted)).toEqual([false, false, false]);
    const none = tests.map((t) => ({ ...t, pValueAdjusted: t.pValue, drifted: t.pValue! < 0.05 }));
    correctFeatureTests(none, 'none');
    expect(none.map((t) => t.drifted)).toEqual([true, true, false]);
  });

  it('carries the retraining link through the records and the proto message', () => {
    const r = evaluateWindow(window(1.5, 0.6), DEFAULT_THRESHOLDS, 100, 1);
    r.retraining = { status: 'started', runId: 'run-42', detail: '' };
    const records = driftRecords(r);
    expect(records.every((x) => x.retraining_run_id === 'run-42' && x.retraining_status === 'started')).toBe(true);
    expect(reportsFromRecords(records)[0]!.retraining).toEqual(r.retraining);
    const m = reportMessage(r);
    expect([m.retraining_triggered, m.retraining_run_id, m.retraining_status]).toEqual([true, 'run-42', 'started']);
    r.retraining = { status: 'refused', runId: '', detail: 'drift trigger for jit ignored: cooldown until …' };
    expect(reportMessage(r)).toMatchObject({
      retraining_triggered: false,
      retraining_run_id: '',
      retraining_status: 'refused',
      retraining_detail: 'drift trigger for jit ignored: cooldown until …',
    });
  });
});
