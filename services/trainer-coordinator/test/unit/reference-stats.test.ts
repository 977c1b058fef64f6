import { describe, expect, it } from 'vitest';
import {
  column,
  quantileSorted,
  referenceStats,
  summarize,
  trainLogistic,
  predictLogistic,
  REFERENCE_QUANTILES,
} from '../../src/domain/index.ts';
import { makeDataset, qtSlice, reference } from '../helpers/fixtures.ts';

describe('reference statistics', () => {
  it('quantiles, mean and std match numpy', () => {
    const q = reference().quantiles;
    expect([...REFERENCE_QUANTILES]).toEqual(q.levels);
    const s = summarize(q.values);
    s.quantiles.forEach((v, i) => expect(v).toBeCloseTo(q.expected[i]!, 10));
    expect(s.mean).toBeCloseTo(q.mean, 10);
    expect(s.std).toBeCloseTo(q.std, 10);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });

  it('histogram edges are distinct quantiles; proportions cover every row', () => {
    const values = [...new Array(80).fill(0), ...Array.from({ length: 20 }, (_, i) => i + 1)];
    const s = summarize(values, 10);
    // Eight deciles collapse onto 0; the remaining edges split the tail.
    expect(s.histogram.edges[0]).toBe(0);
    expect(new Set(s.histogram.edges).size).toBe(s.histogram.edges.length);
    expect(s.histogram.proportions[0]).toBeCloseTo(0.8, 12);
    expect(s.histogram.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('records category frequencies for a feature with few distinct values, not for a continuous one', () => {
    const s = summarize([1, 0, 0, 1, 0, 0, 0, 0, 2, 0]);
    expect(s.categories).toEqual([
      { value: 0, share: 0.7 },
      { value: 1, share: 0.2 },
      { value: 2, share: 0.1 },
    ]);
    expect(summarize(Array.from({ length: 21 }, (_, i) => i)).categories).toBeUndefined();
    expect(summarize(Array.from({ length: 20 }, (_, i) => i % 20)).categories).toHaveLength(20);
    const d = qtSlice();
    const ref = referenceStats(d, predictLogistic(trainLogistic(d, {}), d.x));
    const fix = ref.features.find((f) => f.name === 'fix')!;
    expect(fix.categories?.map((c) => c.value)).toEqual([0, 1]);
    expect(fix.categories?.[1]?.share).toBeCloseTo(column(d, 'fix').reduce((a, b) => a + b, 0) / d.y.length, 12);
    expect(ref.features.find((f) => f.name === 'entropy')!.categories).toBeUndefined();
  });

  it('summarises every feature and the training predictions of a real model', () => {
    const d = qtSlice();
    const p = predictLogistic(trainLogistic(d, {}), d.x);
    const ref = referenceStats(d, p);
    expect(ref.rows).toBe(4000);
    expect(ref.features.map((f) => f.name)).toEqual([...d.featureNames]);
    const la = ref.features.find((f) => f.name === 'la')!;
    expect(la.min).toBeGreaterThanOrEqual(0);
    expect(la.quantiles[5]).toBeLessThan(la.mean); // churn is right-skewed
    expect(ref.predictions.min).toBeGreaterThan(0);
    expect(ref.predictions.max).toBeLessThan(1);
    expect(ref.labelRate).toBeCloseTo(d.y.reduce((a, b) => a + b, 0) / 4000, 12);
    expect(JSON.parse(JSON.stringify(ref))).toEqual(ref); // plain JSON for the registry
    expect(() => referenceStats(makeDataset(['a'], [[1]], [0]), [0.1, 0.2])).toThrow(/2 predictions for 1 rows/);
  });
});
