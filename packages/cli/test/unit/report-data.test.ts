import { describe, expect, it } from 'vitest';
import type { abrouterV1, driftV1, trainerV1 } from '@omen/contracts';
import {
  cumulativeArmMetrics,
  driftReportData,
  experimentReportData,
  referenceHistograms,
} from '../../src/commands/report.ts';

const ts = (iso: string) => ({ seconds: String(Date.parse(iso) / 1000), nanos: 0 });

function report(end: string, value: number, current: number[] = []): driftV1.DriftReport__Output {
  return {
    report_id: `jit:v1:*:${end}`,
    model_name: 'jit',
    model_version: 'v1',
    repo_id: '*',
    reference_version: 'v1',
    window_start: ts('2026-01-01T00:00:00Z'),
    window_end: ts(end),
    drifted: value > 0.2,
    retraining_triggered: false,
    retraining_run_id: '',
    retraining_status: '',
    retraining_detail: '',
    computed_at: ts(end),
    features: [
      {
        feature: 'la',
        target: 'DRIFT_TARGET_FEATURE',
        statistic: 'DRIFT_STATISTIC_PSI',
        value,
        threshold: 0.2,
        drifted: value > 0.2,
        sample_size: '100',
        reference_size: '1000',
        decisive: true,
        current_proportions: current,
      },
      {
        feature: '',
        target: 'DRIFT_TARGET_PREDICTION',
        statistic: 'DRIFT_STATISTIC_KS',
        value: 0.1,
        threshold: 0.3,
        drifted: false,
        sample_size: '100',
        reference_size: '1000',
        p_value: 0.4,
        decisive: true,
        current_proportions: [],
      },
    ],
  };
}

describe('report drift gathering', () => {
  it('puts windows oldest first and names prediction/label tests by target', () => {
    const ref = {
      version: 'v1',
      reference_stats_json: JSON.stringify({
        features: [{ name: 'la', histogram: { edges: [1, 2], proportions: [0.3, 0.3, 0.4] } }, { name: 'bad' }],
      }),
    } as trainerV1.ModelVersion__Output;
    const d = driftReportData(
      'jit',
      'v1',
      [report('2026-01-01T02:00:00Z', 0.5, [0.1, 0.2, 0.7]), report('2026-01-01T01:00:00Z', 0.1, [0.3, 0.3, 0.4])],
      ref,
    );
    expect(d.windows.map((w) => w.windowEnd)).toEqual(['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z']);
    expect(d.windows[1]!.tests.map((t) => [t.feature, t.statistic, t.pValue])).toEqual([
      ['la', 'psi', undefined],
      ['prediction', 'ks', 0.4],
    ]);
    expect(d.reference).toEqual({ la: { edges: [1, 2], proportions: [0.3, 0.3, 0.4] } });
    // The newest window's shares, on the reference's edges.
    expect(d.current).toEqual({ la: { edges: [1, 2], proportions: [0.1, 0.2, 0.7] } });
  });

  it("leaves out current shares that do not fit the reference's bins", () => {
    const ref = {
      version: 'v1',
      reference_stats_json: JSON.stringify({
        features: [{ name: 'la', histogram: { edges: [1, 2], proportions: [0.3, 0.3, 0.4] } }],
      }),
    } as trainerV1.ModelVersion__Output;
    expect(driftReportData('jit', 'v1', [report('2026-01-01T02:00:00Z', 0.5, [0.5, 0.5])], ref).current).toEqual({});
  });

  it('has no histograms without reference statistics', () => {
    expect(referenceHistograms('')).toEqual({});
  });
});

describe('report experiment gathering', () => {
  it("keeps the arms in the spec's order (control first) with their stats, an arm without stats at zero units", () => {
    const e = {
      experiment_id: 'exp-1',
      state: 'EXPERIMENT_STATE_ROLLED_BACK',
      stop_reason: 'guardrail',
      created_at: ts('2026-01-01T00:00:00Z'),
      stopped_at: null,
      srm: null,
      decision: null,
      sequential: [],
      spec: {
        name: 'n',
        description: '',
        model_name: 'jit',
        unit: 'repo',
        primary_metric: 'precision',
        alpha: 0.05,
        metrics: [],
        guardrails: [],
        arms: [
          { name: 'control', model_version: 'v1', weight: 1 },
          { name: 'treatment', model_version: 'v2', weight: 1 },
          { name: 'idle', model_version: 'v3', weight: 0 },
        ],
      },
      stats: [
        {
          arm: 'treatment',
          units: '7',
          metrics: [
            {
              metric: 'precision',
              count: '7',
              mean: 0.5,
              stddev: 0.1,
              lift: 0.1,
              p_value: 0.2,
              ci_low: -0.1,
              ci_high: 0.3,
            },
          ],
        },
        { arm: 'control', units: '5', metrics: [{ metric: 'precision', count: '5', mean: 0.4, stddev: 0.1 }] },
      ],
    } as unknown as abrouterV1.Experiment__Output;
    const d = experimentReportData(e);
    expect(d.state).toBe('rolled_back');
    expect(d.stoppedAt).toBe('-');
    expect(d.arms.map((a) => [a.name, a.units])).toEqual([
      ['control', 5],
      ['treatment', 7],
      ['idle', 0],
    ]);
    expect(d.arms[1]!.metrics[0]).toMatchObject({ count: 7, ciLow: -0.1, ciHigh: 0.3 });
    expect(d.arms[0]!.metrics[0]!.ciLow).toBeUndefined();
    expect(d.srm).toBeUndefined();
  });

  it('carries the sample-ratio check and the last decision', () => {
    const e = {
      experiment_id: 'exp-1',
      state: 'EXPERIMENT_STATE_RUNNING',
      stop_reason: '',
      created_at: ts('2026-01-01T00:00:00Z'),
      stopped_at: null,
      stats: [],
      sequential: [{ metric: 'brier', diff: -0.01, low: -0.02, high: 0.001, n: '300', verdict: 'undecided' }],
      spec: { name: 'n', arms: [] },
      srm: { chi2: 12.5, p_value: 0.0004, mismatch: true },
      decision: {
        action: 'blocked',
        reason: 'sample ratio mismatch',
        at: ts('2026-01-01T01:00:00Z'),
        stage: 0,
        evidence_json: '{}',
      },
    } as unknown as abrouterV1.Experiment__Output;
    const d = experimentReportData(e);
    expect(d.srm).toEqual({ chi2: 12.5, pValue: 0.0004, mismatch: true });
    expect(d.decision).toEqual({ action: 'blocked', reason: 'sample ratio mismatch', at: '2026-01-01T01:00:00Z' });
    expect(d.sequential).toEqual([
      { metric: 'brier', diff: -0.01, low: -0.02, high: 0.001, n: 300, verdict: 'undecided' },
    ]);
  });

  it('accumulates bucketed event sums into running means and standard deviations per arm', () => {
    // control: values 1, 3 in the first bucket, 5 in the second; treatment: 2 in the second.
    const at = cumulativeArmMetrics([
      { arm: 'control', metric: 'm', endMs: 2000, n: 1, sum: 5, sumSquares: 25 },
      { arm: 'control', metric: 'm', endMs: 1000, n: 2, sum: 4, sumSquares: 10 },
      { arm: 'treatment', metric: 'm', endMs: 2000, n: 1, sum: 2, sumSquares: 4 },
    ]);
    expect(at.map((p) => [p.time, p.arm, p.count, p.mean])).toEqual([
      ['1970-01-01T00:00:01.000Z', 'control', 2, 2],
      ['1970-01-01T00:00:02.000Z', 'control', 3, 3],
      ['1970-01-01T00:00:02.000Z', 'treatment', 1, 2],
    ]);
    expect(at[0]!.stddev).toBeCloseTo(Math.SQRT2, 12);
    expect(at[1]!.stddev).toBeCloseTo(2, 12);
    expect(at[2]!.stddev).toBe(0);
  });
});
