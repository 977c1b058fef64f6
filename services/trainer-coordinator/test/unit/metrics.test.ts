import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bestF1Threshold,
  brierScore,
  calibrationTable,
  confusionAt,
  effortAwareMetrics,
  evaluate,
  logLoss,
  rocAuc,
} from '../../src/domain/index.ts';
import { reference } from '../helpers/fixtures.ts';

const ref = reference();

describe('rocAuc', () => {
  it.each(ref.auc.map((c, i) => [i, c] as const))(
    'matches scipy Mann–Whitney U / (n1·n0) on tied scores (case %i)',
    (_, c) => {
      expect(rocAuc(c.y, c.scores)).toBeCloseTo(c.auc, 12);
    },
  );

  it('gives 0.5 when every score ties, 1 for a perfect ranking, 0 for a reversed one', () => {
    expect(rocAuc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
  });

  it('is NaN with one class and refuses bad input by naming it', () => {
    expect(rocAuc([1, 1], [0.2, 0.4])).toBeNaN();
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/label 1 must be 0 or 1/);
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow(/score 1 is NaN/);
    expect(() => rocAuc([0, 1], [0.1])).toThrow(/2 labels but 1 scores/);
  });
});

describe('averagePrecision', () => {
  it.each(ref.average_precision.map((c, i) => [i, c] as const))(
    'matches the numpy precision-at-each-positive mean (case %i)',
    (_, c) => {
      expect(averagePrecision(c.y, c.scores)).toBeCloseTo(c.ap, 12);
    },
  );

  it('enters tied scores together (no credit for lucky order within a tie)', () => {
    // One threshold holding 1 positive and 1 negative: precision 0.5 at recall 1.
    expect(averagePrecision([1, 0], [0.7, 0.7])).toBe(0.5);
    expect(averagePrecision([0, 1], [0.7, 0.7])).toBe(0.5);
  });
});

describe('brierScore / logLoss / calibrationTable', () => {
  it('Brier matches numpy', () => {
    for (const c of ref.auc) expect(brierScore(c.y, c.brier_p)).toBeCloseTo(c.brier, 12);
  });

  it('log loss clips probabilities instead of returning Infinity', () => {
    expect(logLoss([1, 0], [0.5, 0.5])).toBeCloseTo(Math.LN2, 12);
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
  });

  it('builds equal-count bins with observed rates and an ECE', () => {
    const p = Array.from({ length: 100 }, (_, i) => i / 100);
    const y = p.map((v) => (v >= 0.5 ? 1 : 0));
    const t = calibrationTable(y, p, 10);
    expect(t.bins).toHaveLength(10);
    expect(t.bins.every((b) => b.count === 10)).toBe(true);
    expect(t.bins.map((b) => b.observedRate)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(t.bins[0]!.meanPredicted).toBeCloseTo(0.045, 12);
    // |0.045-0|, |0.145-0|, … |0.445-0|, |0.545-1|, … |0.945-1| averaged over equal bins
    expect(t.ece).toBeCloseTo((0.045 + 0.145 + 0.245 + 0.345 + 0.445 + 0.455 + 0.355 + 0.255 + 0.155 + 0.055) / 10, 12);
  });
});

describe('thresholds', () => {
  it('bestF1Threshold picks the score that maximises F1, and confusionAt reproduces it', () => {
    const y = [1, 1, 0, 1, 0, 0, 0];
    const s = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1];
    const best = bestF1Threshold(y, s);
    // Predicting the top 4 gives tp 3, fp 1, fn 0: F1 = 6/7, the best available.
    expect(best.threshold).toBe(0.6);
    expect(best.f1).toBeCloseTo(6 / 7, 12);
    expect(confusionAt(y, s, best.threshold)).toEqual(best);
    expect(confusionAt(y, s, 0.85)).toMatchObject({ tp: 1, fp: 0, fn: 2, tn: 4 });
  });
});

describe('effortAwareMetrics', () => {
  // Four changes: effort (la+ld) 10, 30, 40, 20 (total 100); defective: #0 and #2.
  const y = [1, 0, 1, 0];
  const effort = [10, 30, 40, 20];

  it('computes Recall@20%Effort over the density-ranked prefix within 20% of the effort', () => {
    // Density score/effort: #0 .08, #1 .0167, #2 .0175, #3 .0025 → order 0, 2, 1, 3.
    // Budget 20: #0 (10) fits, #2 (cum 50) does not → 1 of 2 defects found.
    expect(effortAwareMetrics(y, [0.8, 0.5, 0.7, 0.05], effort).recallAt20Effort).toBe(0.5);
  });

  it('computes Popt against the optimal and worst orderings (hand-worked areas)', () => {
    // Optimal: #0 (x .1, y .5), #2 (x .5, y 1), then the rest: area = .025 + .3 + .5 = .825.
    // Worst: #1 then #3 (x .5, y 0), #2 (x .9, y .5), #0 (x 1, y 1): area = .1 + .075 = .175.
    // Model order 0, 2, 1, 3 equals the optimal order → Popt = 1.
    expect(effortAwareMetrics(y, [0.8, 0.5, 0.7, 0.05], effort).popt).toBeCloseTo(1, 12);
    // Densities #1 .03, #3 .025, #2 .01, #0 .005 → order 1, 3, 2, 0 is the worst order → Popt = 0.
    expect(effortAwareMetrics(y, [0.05, 0.9, 0.4, 0.5], effort).popt).toBeCloseTo(0, 12);
    // Order 2, 0, 1, 3 (density #2 highest): curve (0,0)→(.4,.5)→(.5,1)→(1,1):
    // area = .1 + .075 + .5 = .675 → Popt = 1 − (.825 − .675)/(.825 − .175) = 1 − .15/.65.
    expect(effortAwareMetrics(y, [0.2, 0.01, 0.99, 0.001], effort).popt).toBeCloseTo(1 - 0.15 / 0.65, 12);
  });

  it('is NaN without defects and refuses negative effort', () => {
    expect(effortAwareMetrics([0, 0], [0.1, 0.2], [1, 1]).popt).toBeNaN();
    expect(() => effortAwareMetrics([0, 1], [0.1, 0.2], [1, -1])).toThrow(/effort 1 is negative/);
  });
});

describe('evaluate', () => {
  it('bundles the metrics and applies the given threshold', () => {
    const c = ref.auc[0]!;
    const effort = c.y.map((_, i) => 1 + (i % 7));
    const e = evaluate(c.y, c.brier_p, effort, 0.6);
    expect(e.auc).toBeCloseTo(c.auc, 12);
    expect(e.brier).toBeCloseTo(c.brier, 12);
    expect(e.atThreshold.threshold).toBe(0.6);
    expect(e.rows).toBe(c.y.length);
    expect(e.calibration.bins).toHaveLength(10);
    expect(e.popt).toBeGreaterThan(0);
    expect(evaluate(c.y, c.brier_p, undefined, 0.5).popt).toBeNaN();
  });
});
