import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, driftRecords, driftReason, evaluateWindow, reportMessage, reportsFromRecords } from '../../src/domain/report.ts';
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
    w.add(reference, { kind: 'features', eventId: `f${i}`, eventTime: i, repo: 'gh:a/b', values: { la: normal(random, 10 + shift, 2), fix: random() < flagRate ? 1 : 0 } });
    w.add(reference, { kind: 'prediction', eventId: `p${i}`, eventTime: i, repo: 'gh:a/b', value: random() * 0.5 + shift / 10 });
    w.add(reference, { kind: 'label', eventId: `l${i}`, eventTime: i, repo: 'gh:a/b', positive: random() < 0.2 + shift / 10 });
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
    expect(r.tests.filter((t) => t.decisive).map((t) => `${t.feature}:${t.statistic}`).sort()).toEqual(['bug_probability:wasserstein', 'fix:js', 'is_bug_inducing:chi2', 'la:wasserstein']);
    expect(r.driftShare).toBe(0);
    expect(r.tests.filter((t) => t.drifted)).toEqual([]);
    expect(r.drifted).toBe(false);
    expect(r.reportId).toBe('jit:v3:*:60000');
    expect(r.tests.every((t) => t.sampleSize === 600)).toBe(true);
  });

  it('flags the shifted feature, the shifted category shares, predictions and label rate', () => {
    const r = evaluateWindow(window(1.5, 0.6), DEFAULT_THRESHOLDS, 100, 1_000);
    const drifted = new Set(r.tests.filter((t) => t.drifted).map((t) => `${t.feature}:${t.statistic}`));
    for (const k of ['la:psi', 'la:ks', 'la:js', 'la:wasserstein', 'fix:chi2', 'bug_probability:psi', 'bug_probability:wasserstein', 'is_bug_inducing:chi2']) expect(drifted).toContain(k);
    expect(r.drifted).toBe(true);
    expect(r.driftShare).toBe(1);
    expect(driftReason(r)).toMatch(/^drift \(100% of features drifted\) in all repositories over 1970-01-01T00:00:00.000Z\.\.1970-01-01T00:01:00.000Z: /);
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
    expect(records.every((x) => x.window_start === 0 && x.window_end === 60_000 && x.reference_version === 'v3' && x.event_time === 1_234)).toBe(true);
    expect(reportsFromRecords(records)).toEqual([r]);
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
  });
});
