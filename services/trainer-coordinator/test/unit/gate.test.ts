import { describe, expect, it } from 'vitest';
import {
  decideGate,
  evaluate,
  JIT_TRAIN_PARAMS,
  modelKindOf,
  resolveTrainParams,
  scalarMetrics,
  type Evaluation,
} from '../../src/domain/index.ts';

function evaluation(y: number[], p: number[]): Evaluation {
  return evaluate(y, p, undefined, 0.5);
}

const y = [0, 0, 1, 1, 0, 1, 0, 0, 1, 0];
const good = evaluation(y, [0.1, 0.2, 0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.6, 0.4]); // AUC 1
const worse = evaluation(y, [0.1, 0.7, 0.9, 0.3, 0.3, 0.7, 0.2, 0.8, 0.6, 0.4]);
const options = { metric: 'auc' as const, margin: 0.01, minTestPositives: 3 };

describe('decideGate', () => {
  it('passes without a champion, and when the candidate beats the champion on the same holdout by the margin', () => {
    expect(decideGate(good, undefined, options)).toMatchObject({
      passed: true,
      checks: [
        { name: 'min_test_positives', passed: true },
        { passed: true },
        { name: 'no_champion_yet', passed: true },
      ],
    });
    const d = decideGate(good, { version: 'v1', evaluation: worse }, options);
    expect(d.passed).toBe(true);
    expect(d.championVersion).toBe('v1');
    expect(d.checks.at(-1)).toMatchObject({
      name: 'auc_beats_champion_by_margin',
      value: 1,
      threshold: worse.auc + 0.01,
      passed: true,
    });
  });

  it('refuses a worse candidate, an equal one (margin), too few positives, and an incomparable champion', () => {
    expect(decideGate(worse, { version: 'v1', evaluation: good }, options).passed).toBe(false);
    expect(decideGate(good, { version: 'v1', evaluation: good }, options).passed).toBe(false);
    expect(decideGate(good, { version: 'v1', evaluation: good }, { ...options, margin: 0 }).passed).toBe(true);
    expect(decideGate(good, undefined, { ...options, minTestPositives: 5 }).passed).toBe(false);
    expect(decideGate(good, { version: 'v1', incomparable: 'other feature set' }, options)).toMatchObject({
      passed: false,
      checks: expect.arrayContaining([
        expect.objectContaining({ name: 'champion_comparable_on_holdout', passed: false }),
      ]),
    });
    // Brier: lower is better, compared negated.
    expect(
      decideGate(good, { version: 'v1', evaluation: worse }, { ...options, metric: 'brier', margin: 0 }).passed,
    ).toBe(true);
    expect(
      decideGate(worse, { version: 'v1', evaluation: good }, { ...options, metric: 'brier', margin: 0 }).passed,
    ).toBe(false);
  });

  it('scalar metrics leave NaN out (effort-aware metrics without la/ld)', () => {
    const m = scalarMetrics(good, 0.5);
    expect(m).toMatchObject({ auc: 1, threshold: 0.5, test_rows: 10, test_positives: 4 });
    expect('popt' in m).toBe(false);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
});

describe('run parameters', () => {
  it('map algorithm spellings and string params onto the JIT recipe, refusing unknown or bad keys by name', () => {
    expect(modelKindOf('logistic_regression')).toBe('logistic');
    expect(modelKindOf('GBDT')).toBe('gbdt');
    expect(() => modelKindOf('svm')).toThrow(/unknown algorithm "svm"/);
    const p = resolveTrainParams('ensemble', {
      numTrees: '50',
      'gbdt.learningRate': '0.1',
      l2: '0.01',
      gbdtWeight: '0.3',
      refit: 'false',
      'gbdt.classWeight': '1:3',
    });
    expect(p.gbdt).toMatchObject({
      ...JIT_TRAIN_PARAMS.gbdt,
      numTrees: 50,
      learningRate: 0.1,
      classWeight: { negative: 1, positive: 3 },
    });
    expect(p.logistic).toMatchObject({ l2: 0.01, log1p: 'count-like' });
    expect(p).toMatchObject({ gbdtWeight: 0.3, refit: false, validationFraction: 0.2 });
    expect(() => resolveTrainParams('gbdt', { numTree: '5' })).toThrow(/unknown parameter "numTree"/);
    expect(() => resolveTrainParams('gbdt', { numTrees: 'many' })).toThrow(/params.numTrees must be an integer/);
    expect(() => resolveTrainParams('gbdt', { maxDepth: '0' })).toThrow(/gbdt.maxDepth/);
    expect(() => resolveTrainParams('logistic', { numTrees: '5' })).toThrow(/GBDT parameter/);
    expect(() => resolveTrainParams('ensemble', { validationFraction: '1' })).toThrow(
      /validationFraction must be in \[0, 1\)/,
    );
  });
});
