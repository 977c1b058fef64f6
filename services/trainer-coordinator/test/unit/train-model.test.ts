import { describe, expect, it } from 'vitest';
import { chronologicalSplit, predict, rocAuc, trainModel } from '../../src/domain/index.ts';
import { qtSlice } from '../helpers/fixtures.ts';

describe('trainModel', () => {
  const split = chronologicalSplit(qtSlice(), { testFraction: 0.25, validationFraction: 0 });

  it('validates on the newest training rows, picks the threshold there, then refits on all of them', () => {
    const r = trainModel('gbdt', split.train, {
      validationFraction: 0.2,
      gbdt: { maxDepth: 3, maxLeaves: 8, minDataInLeaf: 50, numTrees: 400 },
    });
    expect(r.rows).toEqual({ fit: 2400, validation: 600, final: 3000 });
    expect(r.refitted).toBe(true);
    expect(r.validation?.rows).toBe(600);
    expect(r.threshold).toBeGreaterThan(0);
    expect(r.threshold).toBeLessThan(1);
    // The refit keeps the early-stopped round count scaled by 3000/2400.
    if (r.model.kind !== 'gbdt') throw new Error('expected gbdt');
    expect(r.model.params.earlyStoppingRounds).toBe(0);
    expect(r.model.trees.length).toBeGreaterThan(1);
    expect(rocAuc(split.test.y, predict(r.model, split.test.x))).toBeGreaterThan(0.68);
  });

  it('without refit returns the validation-stage model', () => {
    const r = trainModel('logistic', split.train, { refit: false });
    expect(r.refitted).toBe(false);
    expect(r.rows.final).toBe(r.rows.fit);
  });

  it('the ensemble averages LR and GBDT log-odds with the given weight', () => {
    const r = trainModel('ensemble', split.train, { gbdtWeight: 0.25, gbdt: { numTrees: 50 } });
    if (r.model.kind !== 'ensemble') throw new Error('expected ensemble');
    expect(r.model.gbdtWeight).toBe(0.25);
    expect(r.model.logisticWeight).toBe(0.75);
    const lr = predict(r.model.logistic, split.test.x);
    const gb = predict(r.model.gbdt, split.test.x);
    const ens = predict(r.model, split.test.x);
    const logit = (p: number): number => Math.log(p / (1 - p));
    for (let i = 0; i < 20; i++) expect(logit(ens[i]!)).toBeCloseTo(0.75 * logit(lr[i]!) + 0.25 * logit(gb[i]!), 8);
    expect(() => trainModel('ensemble', split.train, { gbdtWeight: 2 })).toThrow(/gbdtWeight must be in \[0, 1\]/);
  });
});
