import { describe, expect, it } from 'vitest';
import {
  chronologicalSplit,
  logLoss,
  predictGbdt,
  rocAuc,
  trainGbdt,
  trainLogistic,
  predictLogistic,
} from '../../src/domain/index.ts';
import { seededRandom } from '@omen/service/random';
import { applyBins, binOf, fitBins } from '../../src/domain/gbdt/binning.ts';
import { bernoulli, gaussianRows, makeDataset, qtSlice } from '../helpers/fixtures.ts';

/** XOR-like label: a linear model cannot rank it, trees can. */
function xorData(n: number, seed: number) {
  const rows = gaussianRows(n, 3, seed);
  const rand = seededRandom(seed + 1);
  const y = rows.map((r) => bernoulli(r[0]! * r[1]! > 0 ? 0.85 : 0.15, rand));
  return makeDataset(['a', 'b', 'noise'], rows, y);
}

describe('trainGbdt', () => {
  it('beats a constant model and a linear one where the signal is an interaction', () => {
    const train = xorData(6000, 1);
    const test = xorData(3000, 2);
    const m = trainGbdt(train, undefined, { numTrees: 60, earlyStoppingRounds: 0 });
    const p = predictGbdt(m, test.x);
    const rate = train.y.reduce((a, b) => a + b, 0) / train.y.length;
    expect(logLoss(test.y, p)).toBeLessThan(
      logLoss(
        test.y,
        Array.from(test.y, () => rate),
      ) - 0.1,
    );
    expect(rocAuc(test.y, p)).toBeGreaterThan(0.75);
    expect(rocAuc(test.y, predictLogistic(trainLogistic(train, { log1p: [] }), test.x))).toBeLessThan(0.6);
    // Split gain lands on the informative features, not on noise.
    expect(m.gainImportance[2]!).toBeLessThan(0.2 * (m.gainImportance[0]! + m.gainImportance[1]!));
  });

  it('early stopping stops on labels that carry no signal and keeps the best round', () => {
    const rows = gaussianRows(4000, 4, 3);
    const rand = seededRandom(4);
    const d = makeDataset(
      ['a', 'b', 'c', 'd'],
      rows,
      rows.map(() => bernoulli(0.3, rand)),
    );
    const s = chronologicalSplit(d, { testFraction: 0.2, validationFraction: 0.25 });
    const m = trainGbdt(s.fit, s.validation, { numTrees: 500, earlyStoppingRounds: 20, learningRate: 0.1 });
    expect(m.stoppedEarly).toBe(true);
    expect(m.roundsTrained).toBeLessThan(500);
    expect(m.trees.length).toBe(m.bestIteration);
    expect(m.roundsTrained - m.bestIteration).toBe(20);
    const best = Math.min(...m.validationHistory);
    expect(m.validationHistory[m.bestIteration - 1]).toBe(best);
  });

  it('on real data: early-stopped model generalises to later rows', () => {
    const s = chronologicalSplit(qtSlice(), { testFraction: 0.2, validationFraction: 0.2 });
    const m = trainGbdt(s.fit, s.validation, { numTrees: 300, maxDepth: 3, maxLeaves: 8, minDataInLeaf: 50 });
    expect(rocAuc(s.test.y, predictGbdt(m, s.test.x))).toBeGreaterThan(0.68);
  });

  it('is deterministic for a seed; subsampling makes seeds matter', () => {
    const d = xorData(2000, 5);
    const params = { numTrees: 15, subsample: 0.7, colsample: 0.67, earlyStoppingRounds: 0 };
    expect(trainGbdt(d, undefined, { ...params, seed: 3 })).toEqual(trainGbdt(d, undefined, { ...params, seed: 3 }));
    expect(trainGbdt(d, undefined, { ...params, seed: 3 }).trees).not.toEqual(
      trainGbdt(d, undefined, { ...params, seed: 4 }).trees,
    );
  });

  it('respects maxDepth, maxLeaves and minDataInLeaf', () => {
    const d = xorData(3000, 6);
    const m = trainGbdt(d, undefined, {
      numTrees: 5,
      maxDepth: 2,
      maxLeaves: 3,
      minDataInLeaf: 400,
      earlyStoppingRounds: 0,
    });
    for (const t of m.trees) {
      const leaves = t.feature.filter((j) => j < 0).length;
      expect(leaves).toBeLessThanOrEqual(3);
      const depth = (node: number): number =>
        t.feature[node]! < 0 ? 0 : 1 + Math.max(depth(t.left[node]!), depth(t.right[node]!));
      expect(depth(0)).toBeLessThanOrEqual(2);
    }
  });

  it('names the parameter and bound it refuses', () => {
    const d = xorData(100, 7);
    expect(() => trainGbdt(d, undefined, { learningRate: 0 })).toThrow('gbdt.learningRate must be in (0, 1]; got 0');
    expect(() => trainGbdt(d, undefined, { maxBins: 300 })).toThrow(/gbdt.maxBins must be an integer in \[2, 256\]/);
    expect(() => trainGbdt(d, undefined, { subsample: 1.5 })).toThrow(/gbdt.subsample/);
  });
});

describe('binning', () => {
  it('caps bins at maxBins, keeps thresholds float32-exact, and bin ≤ b ⇔ x ≤ threshold[b]', () => {
    const n = 5000;
    const rand = seededRandom(9);
    const x = Float64Array.from({ length: n }, () => Math.exp(rand() * 10) / 3); // continuous, heavy-tailed
    const mapper = fitBins(x, n, 1, 32);
    const thr = mapper.thresholds[0]!;
    expect(thr.length).toBeLessThanOrEqual(31);
    for (const t of thr) expect(Math.fround(t)).toBe(t);
    const bins = applyBins(mapper, x, n, 1);
    for (let i = 0; i < n; i++) {
      const b = bins[i]!;
      if (b < thr.length) expect(Math.fround(x[i]!) <= thr[b]!).toBe(true);
      if (b > 0) expect(Math.fround(x[i]!) > thr[b - 1]!).toBe(true);
    }
    // Equal-frequency: no bin holds more than ~3× its share on continuous data.
    const counts = new Array<number>(thr.length + 1).fill(0);
    for (const b of bins) counts[b]!++;
    expect(Math.max(...counts)).toBeLessThan((3 * n) / counts.length);
  });

  it('gives a dominant value its own bin and separates values that differ only below float32 precision consistently', () => {
    const x = Float64Array.from([...new Array(900).fill(0), ...Array.from({ length: 100 }, (_, i) => i + 1)]);
    const thr = fitBins(x, x.length, 1, 8).thresholds[0]!;
    expect(binOf(thr, 0)).toBe(0);
    expect(binOf(thr, 1)).toBe(1);
    const close = Float64Array.from([1, 1 + 1e-12, 2]); // 1 and 1+1e-12 are the same float32
    const t2 = fitBins(close, 3, 1, 255).thresholds[0]!;
    expect(t2.length).toBe(1);
    expect(binOf(t2, 1)).toBe(binOf(t2, 1 + 1e-12));
  });
});
