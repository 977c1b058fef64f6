import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  contributions,
  ensembleMargin,
  explanationMethod,
  rankContributions,
  type MarginTerm,
  type TreeEnsembleParams,
} from '../../src/domain/contributions.ts';
import { readOnnxGraph } from '../../src/domain/onnx-graph.ts';
import {
  buildOnnx,
  gbdtMargin,
  randomGbdt,
  seeded,
  type TestEnsemble,
  type TestGbdt,
  type TestLogistic,
} from '../helpers/onnx-models.ts';

const logit = (p: number) => Math.log(p / (1 - p));

async function ortP1(bytes: Uint8Array, rows: number[][]): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  const f = rows[0]!.length;
  const out = await session.run(
    { features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, f]) },
    ['probabilities'],
  );
  const probs = out['probabilities']!.data as Float32Array;
  await session.release();
  return rows.map((_, i) => probs[i * 2 + 1]!);
}

function treesOf(term: MarginTerm | undefined): TreeEnsembleParams {
  if (term?.kind !== 'trees') throw new Error(`expected a tree term, got ${term?.kind}`);
  return term.params;
}

/** Shapley values by definition: every coalition, the hybrid row x_S ∪ r_¬S through f. */
function bruteForceShapley(f: (row: number[]) => number, x: number[], r: number[]): number[] {
  const n = x.length;
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(n).fill(0);
  for (let mask = 0; mask < 1 << n; mask++) {
    const size = [...Array(n).keys()].filter((j) => mask & (1 << j)).length;
    const row = x.map((v, j) => (mask & (1 << j) ? v : r[j]!));
    const value = f(row);
    for (let j = 0; j < n; j++) {
      const w = (fact(mask & (1 << j) ? size - 1 : size) * fact(mask & (1 << j) ? n - size : n - size - 1)) / fact(n);
      phi[j]! += mask & (1 << j) ? w * value : -w * value;
    }
  }
  return phi;
}

const names4 = ['a', 'b', 'c', 'd'];

describe('tree contributions (baseline Shapley from the ONNX trees)', () => {
  it('equal the Shapley values computed by definition over all coalitions', () => {
    const thresholds = names4.map(() => [0.5, 1.5, 2.5, 3.5]);
    const model = randomGbdt(names4, { trees: 12, depth: 3, thresholds, seed: 7, leafScale: 0.5 });
    const params = treesOf(readOnnxGraph(buildOnnx(model), 'features', 4).margin);
    const rand = seeded(3);
    for (let trial = 0; trial < 20; trial++) {
      const x = names4.map(() => Math.floor(rand() * 5));
      const r = names4.map(() => Math.floor(rand() * 5));
      const expected = bruteForceShapley((row) => gbdtMargin(model, row), x, r);
      const got = contributions({ kind: 'trees', params }, x, 0, r, 4);
      // Leaf weights are float32 in the ONNX attributes, doubles in the test model.
      expected.forEach((v, j) => expect(got[j]).toBeCloseTo(v, 6));
    }
  });

  it('handle a feature split several times on one path (x and r both constrained)', () => {
    // Root splits a ≤ 2, its left child splits a ≤ 1 again: x = 0 and r = 1.5 agree at the root
    // and disagree below, so a lands in A on one leaf and in B on the other.
    const model: TestGbdt = {
      kind: 'gbdt',
      featureNames: ['a', 'b'],
      baseScore: 0,
      trees: [
        {
          feature: [0, 0, -1, -1, 1, -1, -1],
          threshold: [2, 1, 0, 0, 5, 0, 0],
          left: [1, 2, -1, -1, 5, -1, -1],
          right: [4, 3, -1, -1, 6, -1, -1],
          value: [0, 0, 1, 2, 0, 3, 4],
        },
      ],
    };
    const params = treesOf(readOnnxGraph(buildOnnx(model), 'features', 2).margin);
    for (const [x, r] of [
      [
        [0, 9],
        [1.5, 0],
      ],
      [
        [3, 9],
        [0, 0],
      ],
      [
        [3, 1],
        [1.5, 9],
      ],
    ] as const) {
      const expected = bruteForceShapley((row) => gbdtMargin(model, row), [...x], [...r]);
      const got = contributions({ kind: 'trees', params }, x, 0, r, 2);
      expected.forEach((v, j) => expect(got[j]).toBeCloseTo(v, 6));
    }
  });

  it('sum to the difference of ONNX Runtime log-odds between the row and the reference (efficiency)', async () => {
    const names = Array.from({ length: 14 }, (_, i) => `f${i}`);
    const thresholds = names.map(() => Array.from({ length: 30 }, (_, k) => k * 2));
    const model = randomGbdt(names, { trees: 150, depth: 6, thresholds, seed: 11 });
    const bytes = buildOnnx(model);
    const graph = readOnnxGraph(bytes, 'features', 14);
    const params = treesOf(graph.margin);
    expect(params.trees).toHaveLength(150);
    const rand = seeded(5);
    const reference = names.map(() => Math.floor(rand() * 60));
    const rows = Array.from({ length: 10 }, () => names.map(() => Math.floor(rand() * 60)));
    const [pr, ...px] = await ortP1(bytes, [reference, ...rows]);
    rows.forEach((x, i) => {
      const c = contributions({ kind: 'trees', params }, x, 0, reference, 14);
      const sum = c.reduce((s, v) => s + v, 0);
      expect(sum).toBeCloseTo(logit(px[i]!) - logit(pr!), 4);
      // And the parsed trees reproduce ONNX Runtime's margin itself.
      expect(ensembleMargin(params, x)).toBeCloseTo(logit(px[i]!), 4);
    });
  });

  it('give zero to a feature no split uses, and nothing at all when the row equals the reference', () => {
    const thresholds = [
      [1, 2],
      [1, 2],
      [1, 2],
    ];
    const model = randomGbdt(['a', 'b', 'c'], { trees: 5, depth: 2, thresholds, seed: 2 });
    for (const t of model.trees) t.feature = t.feature.map((j) => (j === 2 ? 0 : j)); // c never split on
    const params = treesOf(readOnnxGraph(buildOnnx(model), 'features', 3).margin);
    const c = contributions({ kind: 'trees', params }, [3, 0, 99], 0, [0, 3, 0], 3);
    expect(c[2]).toBe(0);
    expect([...contributions({ kind: 'trees', params }, [1, 2, 3], 0, [1, 2, 3], 3)]).toEqual([0, 0, 0]);
  });
});

const lr: TestLogistic = {
  kind: 'logistic',
  featureNames: ['la', 'ld', 'fix'],
  log1p: [true, true, false],
  mean: [2, 1.5, 0.3],
  scale: [1.2, 1.1, 0.45],
  coef: [0.8, -0.3, 0.6],
  intercept: -1.1,
};

describe('linear contributions (coefficient × standardised value)', () => {
  it('read the logistic subgraph and sum to the margin minus the intercept', async () => {
    const bytes = buildOnnx(lr);
    const graph = readOnnxGraph(bytes, 'features', 3);
    expect(graph.margin?.kind).toBe('linear');
    expect(explanationMethod(graph.margin!)).toBe('linear');
    const x = [120, 4, 1];
    const [p] = await ortP1(bytes, [x]);
    const c = contributions(graph.margin!, x, 0, [0, 0, 0], 3);
    expect(c[0]).toBeCloseTo((0.8 * (Math.log1p(120) - 2)) / 1.2, 5);
    expect(c[2]).toBeCloseTo((0.6 * (1 - 0.3)) / 0.45, 5);
    expect(c.reduce((s, v) => s + v, 0) + lr.intercept).toBeCloseTo(logit(p!), 4);
  });
});

describe('ensemble contributions (weighted LR + GBDT)', () => {
  it('are the weighted sum of the parts and add up to the ensemble margin', async () => {
    const gbdt = randomGbdt(lr.featureNames, {
      trees: 30,
      depth: 3,
      thresholds: [[1, 10, 100], [1, 5, 50], [0.5]],
      seed: 4,
      baseScore: -0.7,
    });
    const model: TestEnsemble = {
      kind: 'ensemble',
      featureNames: lr.featureNames,
      logistic: lr,
      gbdt,
      logisticWeight: 0.5,
      gbdtWeight: 0.5,
    };
    const bytes = buildOnnx(model);
    const graph = readOnnxGraph(bytes, 'features', 3);
    expect(graph.marginUnsupported).toBeUndefined();
    expect(explanationMethod(graph.margin!)).toBe('baseline-shapley+linear');
    const reference = [10, 3, 0];
    const x = [300, 1, 1];
    const [px, pr] = await ortP1(bytes, [x, reference]);
    const c = contributions(graph.margin!, x, 0, reference, 3);
    const sum = c.reduce((s, v) => s + v, 0);
    // LR part sums to lrMargin − intercept (reference = training mean); tree part to g(x) − g(r).
    const lrMargin = (row: number[]) =>
      row.reduce(
        (s, v, j) => s + (lr.coef[j]! * ((lr.log1p[j] ? Math.log1p(v) : v) - lr.mean[j]!)) / lr.scale[j]!,
        lr.intercept,
      );
    const expected = 0.5 * (lrMargin(x) - lr.intercept) + 0.5 * (gbdtMargin(gbdt, x) - gbdtMargin(gbdt, reference));
    expect(sum).toBeCloseTo(expected, 4);
    expect(0.5 * lrMargin(x) + 0.5 * gbdtMargin(gbdt, x)).toBeCloseTo(logit(px!), 4);
    expect(pr).toBeGreaterThan(0);
  });
});

describe('rankContributions', () => {
  it('orders by absolute contribution, ties by name', () => {
    const ranked = rankContributions(['a', 'b', 'c', 'd'], [1, 2, 3, 4], 0, [0.1, -0.5, 0.5, 0]);
    expect(ranked.map((r) => r.feature)).toEqual(['b', 'c', 'a', 'd']);
    expect(ranked[0]).toEqual({ feature: 'b', value: 2, contribution: -0.5 });
  });
});

describe('readOnnxGraph', () => {
  it('reads metadata_props and reports an unexplainable graph instead of failing', () => {
    const bytes = buildOnnx(lr, { metadata: { decision_threshold: '0.4' } });
    const graph = readOnnxGraph(bytes, 'features', 3);
    expect(graph.metadata['decision_threshold']).toBe('0.4');
    expect(JSON.parse(graph.metadata['feature_names']!)).toEqual(lr.featureNames);
    // Coefficients of the wrong width: the graph loads, contributions are off, and it says why.
    const odd = readOnnxGraph(bytes, 'features', 4);
    expect(odd.margin).toBeUndefined();
    expect(odd.marginUnsupported).toMatch(/coefficients must have 4 values/);
  });
});
