import { describe, expect, it } from 'vitest';
import { predictLogistic, rawCoefficients, rocAuc, trainLogistic } from '../../src/domain/index.ts';
import { seededRandom } from '@omen/service/random';
import { bernoulli, gaussianRows, makeDataset, qtSlice, reference } from '../helpers/fixtures.ts';

describe('trainLogistic', () => {
  it('recovers known coefficients from synthetic data', () => {
    const truth = { intercept: -0.7, coef: [1.2, -0.8, 0.3] };
    const rows = gaussianRows(40_000, 3, 7);
    const rand = seededRandom(8);
    const y = rows.map((r) =>
      bernoulli(1 / (1 + Math.exp(-(truth.intercept + r.reduce((s, v, j) => s + v * truth.coef[j]!, 0)))), rand),
    );
    const m = trainLogistic(makeDataset(['a', 'b', 'c'], rows, y), { l2: 0, log1p: [] });
    const raw = rawCoefficients(m);
    expect(m.converged).toBe(true);
    // Standard error at n = 40,000 is ~0.015; allow 4 of them.
    raw.coef.forEach((c, j) => expect(Math.abs(c - truth.coef[j]!)).toBeLessThan(0.06));
    expect(Math.abs(raw.intercept - truth.intercept)).toBeLessThan(0.06);
  });

  it.each([0, 0.05])('matches scipy BFGS on the same L2 objective (l2 = %s)', (l2) => {
    const r = reference().logistic;
    const fit = r.fits.find((f) => f.l2 === l2)!;
    const n = r.y.length;
    const d = {
      featureNames: ['a', 'b', 'c'],
      x: Float64Array.from(r.x),
      y: Uint8Array.from(r.y),
      time: new Float64Array(n),
    };
    const m = trainLogistic(d, { l2, log1p: [] });
    m.coef.forEach((c, j) => expect(c).toBeCloseTo(fit.coef[j]!, 6));
    expect(m.intercept).toBeCloseTo(fit.intercept, 6);
  });

  it('log1p + standardisation are fitted on the training rows only and the model beats chance on real data', () => {
    const d = qtSlice();
    const m = trainLogistic(d, {});
    expect(m.preprocessor.log1p[d.featureNames.indexOf('la')]).toBe(true);
    expect(m.preprocessor.log1p[d.featureNames.indexOf('fix')]).toBe(false);
    expect(m.preprocessor.log1p[d.featureNames.indexOf('entropy')]).toBe(false);
    expect(rocAuc(d.y, predictLogistic(m, d.x))).toBeGreaterThan(0.7);
  });

  it('balanced class weights move the intercept toward equal classes and keep the ranking sensible', () => {
    const d = qtSlice(); // ~15% positives
    const plain = trainLogistic(d, {});
    const balanced = trainLogistic(d, { classWeight: 'balanced' });
    const meanP = (p: Float64Array): number => p.reduce((a, b) => a + b, 0) / p.length;
    expect(meanP(predictLogistic(plain, d.x))).toBeLessThan(0.25);
    expect(meanP(predictLogistic(balanced, d.x))).toBeGreaterThan(0.4);
    expect(rocAuc(d.y, predictLogistic(balanced, d.x))).toBeGreaterThan(0.7);
  });

  it('is deterministic, and refuses bad input by naming it', () => {
    const d = qtSlice();
    expect(trainLogistic(d, {})).toEqual(trainLogistic(d, {}));
    expect(() => trainLogistic(d, { l2: -1 })).toThrow(/l2 must be >= 0/);
    expect(() => trainLogistic(d, { log1p: ['nope'] })).toThrow(/log1p feature "nope"/);
    const bad = { ...d, x: Float64Array.from(d.x, (v, i) => (i === 5 ? Number.NaN : v)) };
    expect(() => trainLogistic(bad, {})).toThrow(/row 0: feature "ld" is NaN/);
  });
});
