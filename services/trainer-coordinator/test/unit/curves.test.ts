import { describe, expect, it } from 'vitest';
import { evaluationCurves, permutationImportance, rocAuc } from '../../src/domain/index.ts';

describe('evaluationCurves', () => {
  const y = [1, 0, 1, 0, 0, 1];
  const p = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1];

  it('steps through the ROC by distinct scores and its area is the AUC', () => {
    const { roc } = evaluationCurves(y, p, undefined);
    expect(roc[0]).toEqual({ x: 0, y: 0 });
    expect(roc.at(-1)).toEqual({ x: 1, y: 1 });
    let area = 0;
    for (let k = 1; k < roc.length; k++) area += ((roc[k]!.x - roc[k - 1]!.x) * (roc[k]!.y + roc[k - 1]!.y)) / 2;
    expect(area).toBeCloseTo(rocAuc(y, p), 4);
  });

  it('gives precision at each recall, and the effort curve ends at all defects found', () => {
    const { pr, effort } = evaluationCurves(y, p, [10, 1, 5, 1, 1, 20]);
    expect(pr[0]).toEqual({ x: 0.33333, y: 1 });
    expect(pr.at(-1)).toEqual({ x: 1, y: 0.5 });
    expect(effort.at(-1)).toEqual({ x: 1, y: 1 });
    expect(effort.every((pt, k) => k === 0 || pt.x >= effort[k - 1]!.x)).toBe(true);
  });

  it('thins a long curve to the limit and has no ROC/PR with one class', () => {
    const n = 5000;
    const yy = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const pp = Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n);
    expect(evaluationCurves(yy, pp, undefined, 50).roc).toHaveLength(50);
    expect(evaluationCurves([0, 0], [0.1, 0.2], undefined).pr).toEqual([]);
  });
});

describe('permutationImportance', () => {
  it('finds the feature the model uses and none in the one it ignores', () => {
    const n = 400;
    const x = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[i * 2] = i % 2;
      x[i * 2 + 1] = (i * 37) % 11;
      y[i] = i % 2;
    }
    const model = (xs: Float64Array): Float64Array =>
      Float64Array.from({ length: xs.length / 2 }, (_, i) => 0.2 + 0.6 * xs[i * 2]!);
    const [used, ignored] = permutationImportance(['used', 'ignored'], x, y, model);
    expect(used!.aucDrop).toBeGreaterThan(0.3);
    expect(ignored).toEqual({ feature: 'ignored', aucDrop: 0 });
  });
});
