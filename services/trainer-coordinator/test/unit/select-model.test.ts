import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  CANDIDATES,
  chronologicalSplit,
  exportOnnx,
  KAMEI_FEATURES,
  ONNX_INPUT,
  ONNX_PROBABILITIES,
  modelKindOf,
  predict,
  resolveTrainParams,
  rocAuc,
  trainModel,
  trainSubsetLogistic,
  type Dataset,
  type TrainParams,
} from '../../src/domain/index.ts';
import { seededRandom } from '@omen/service/random';

// Small GBDT so the tests stay quick; the selection logic does not depend on the tree count.
const PARAMS: TrainParams = {
  validationFraction: 0.25,
  logistic: { l2: 1e-4 },
  gbdt: {
    numTrees: 150,
    learningRate: 0.1,
    maxDepth: 3,
    maxLeaves: 8,
    minDataInLeaf: 30,
    earlyStoppingRounds: 20,
    seed: 1,
  },
};

/**
 * n rows of Kamei-like counts in time order; `label(row, i)` gives P(defect) from the row
 * (features by name) and the row's position, so a relation can change over time.
 */
function synthetic(n: number, seed: number, label: (v: Record<string, number>, i: number) => number): Dataset {
  const rand = seededRandom(seed);
  const f = KAMEI_FEATURES.length;
  const x = new Float64Array(n * f);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v: Record<string, number> = {};
    for (const name of KAMEI_FEATURES) v[name] = Math.floor(Math.exp(rand() * 6));
    v['fix'] = rand() < 0.3 ? 1 : 0;
    v['entropy'] = rand();
    KAMEI_FEATURES.forEach((name, j) => {
      x[i * f + j] = v[name]!;
    });
    y[i] = rand() < label(v, i) ? 1 : 0;
  }
  return {
    featureNames: [...KAMEI_FEATURES],
    x,
    y,
    time: Float64Array.from({ length: n }, (_, i) => 1_600_000_000 + i * 3600),
  };
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('trainModel auto: selection on the validation slice', () => {
  it('LApredict wins where only la carries over time and another metric flips sign', () => {
    // exp predicts defects strongly in the older rows and the opposite in the newest ones: every
    // model that uses it is wrong on the validation slice, LR on la alone is not.
    const n = 4000;
    const d = synthetic(n, 7, (v, i) =>
      sigmoid(0.8 * (Math.log1p(v['la']!) - 3) + (i < n * 0.7 ? 1.2 : -1.2) * (Math.log1p(v['exp']!) - 3)),
    );
    const r = trainModel('auto', d, PARAMS);
    const s = r.selection!;
    expect(s.decided).toBe(true);
    expect(s.candidates.map((c) => c.name)).toEqual([...CANDIDATES]);
    expect(s.winner).toBe('lapredict');
    const auc = Object.fromEntries(s.candidates.map((c) => [c.name, c.validationAuc]));
    for (const c of ['logistic', 'gbdt', 'ensemble']) expect(auc['lapredict']!).toBeGreaterThan(auc[c]! + 0.02);
    // The refitted winner keeps the full input and uses la only.
    expect(r.model.kind).toBe('logistic');
    if (r.model.kind !== 'logistic') throw new Error('expected logistic');
    expect(r.model.featureNames).toEqual([...KAMEI_FEATURES]);
    expect(r.model.coef.filter((c) => c !== 0)).toHaveLength(1);
    expect(r.model.coef[KAMEI_FEATURES.indexOf('la')]).toBeGreaterThan(0);
    expect(r.refitted).toBe(true);
  });

  it('GBDT wins where the risk is a band of a metric, which no linear model can draw', () => {
    // Defects come from mid-sized changes by authors new to the files: non-monotone in nf, an
    // interaction with exp. LR (and the blend through its LR half) cannot follow.
    const d = synthetic(4000, 11, (v) => (v['nf']! >= 8 && v['nf']! <= 60 && v['exp']! < 20 ? 0.85 : 0.08));
    const r = trainModel('auto', d, PARAMS);
    const s = r.selection!;
    expect(s.winner).toBe('gbdt');
    const auc = Object.fromEntries(s.candidates.map((c) => [c.name, c.validationAuc]));
    for (const c of ['lapredict', 'lapredict_la_lt', 'logistic', 'ensemble'])
      expect(auc['gbdt']!).toBeGreaterThan(auc[c]!);
    expect(auc['gbdt']!).toBeGreaterThan(auc['logistic']! + 0.1);
    expect(r.model.kind).toBe('gbdt');
  });

  it('the test rows do not move the choice: flipping every test label leaves the selection as it was', () => {
    const d = synthetic(3000, 3, (v) => sigmoid(Math.log1p(v['la']!) - 3 + 0.5 * (Math.log1p(v['nf']!) - 3)));
    const flipped: Dataset = { ...d, y: d.y.map((v, i) => (i >= 2400 ? 1 - v : v)) };
    const a = trainModel('auto', chronologicalSplit(d, { testFraction: 0.2, validationFraction: 0 }).train, PARAMS);
    const b = trainModel(
      'auto',
      chronologicalSplit(flipped, { testFraction: 0.2, validationFraction: 0 }).train,
      PARAMS,
    );
    expect(b.selection).toEqual(a.selection);
    expect(a.rows).toEqual({ fit: 1800, validation: 600, final: 2400 });
  });

  it('a validation slice with one class cannot rank: the fallback wins and says so', () => {
    const d = synthetic(1000, 5, (_v, i) => (i < 700 ? 0.3 : 0));
    const r = trainModel('auto', d, { ...PARAMS, validationFraction: 0.3 });
    expect(r.selection?.decided).toBe(false);
    expect(r.selection?.winner).toBe('ensemble');
    expect(r.selection?.candidates.every((c) => Number.isNaN(c.validationAuc))).toBe(true);
  });

  it('a feature set without la/lt skips the LApredict candidates', () => {
    const full = synthetic(1500, 9, (v) => sigmoid(Math.log1p(v['nf']!) - 2));
    const keep = KAMEI_FEATURES.map((n, j) => [n, j] as const).filter(([n]) => n !== 'la' && n !== 'lt');
    const x = new Float64Array(1500 * keep.length);
    for (let i = 0; i < 1500; i++)
      keep.forEach(([, j], k) => {
        x[i * keep.length + k] = full.x[i * KAMEI_FEATURES.length + j]!;
      });
    const r = trainModel('auto', { ...full, featureNames: keep.map(([n]) => n), x }, PARAMS);
    expect(r.selection?.candidates.map((c) => c.name)).toEqual(['logistic', 'gbdt', 'ensemble']);
  });

  it('auto is an algorithm a run can ask for, with both LR and GBDT parameters', () => {
    expect(modelKindOf('auto')).toBe('auto');
    expect(modelKindOf('select')).toBe('auto');
    expect(resolveTrainParams('auto', { 'gbdt.numTrees': '10', l2: '0.01' }).gbdt?.numTrees).toBe(10);
  });
});

describe('LR on a subset of the features', () => {
  const d = synthetic(2000, 13, (v) => sigmoid(Math.log1p(v['la']!) - 0.5 * Math.log1p(v['lt']!)));

  it('scores like an LR fitted on the subset alone, from the full row', () => {
    const m = trainSubsetLogistic(d, ['la', 'lt'], { l2: 1e-4 });
    expect(m.featureNames).toEqual([...KAMEI_FEATURES]);
    const la = KAMEI_FEATURES.indexOf('la');
    const lt = KAMEI_FEATURES.indexOf('lt');
    expect(m.coef.map((c, j) => (j === la || j === lt ? 'used' : c))).toEqual(
      KAMEI_FEATURES.map((_, j) => (j === la || j === lt ? 'used' : 0)),
    );
    expect(m.coef[la]).toBeGreaterThan(0);
    expect(m.coef[lt]).toBeLessThan(0);
    expect(rocAuc(d.y, predict(m, d.x))).toBeGreaterThan(0.7);
    expect(() => trainSubsetLogistic(d, ['nope'])).toThrow(/"nope" is not in the feature set/);
  });

  it('exports to ONNX with the 14-feature input, and ONNX Runtime gives the trainer’s probabilities', async () => {
    const m = trainSubsetLogistic(d, ['la'], { l2: 1e-4 });
    const session = await ort.InferenceSession.create(exportOnnx(m));
    const n = d.y.length;
    const out = await session.run({
      [ONNX_INPUT]: new ort.Tensor('float32', Float32Array.from(d.x), [n, KAMEI_FEATURES.length]),
    });
    const p1 = (out[ONNX_PROBABILITIES]!.data as Float32Array).filter((_, i) => i % 2 === 1);
    const mine = predict(m, d.x);
    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(p1[i]! - mine[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(Math.max(...p1) - Math.min(...p1)).toBeGreaterThan(0.3);
  });
});
