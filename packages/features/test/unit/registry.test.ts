import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError } from '@omen/errors';
import {
  FeatureRegistry,
  checkFeatureSet,
  codeMetricsV1,
  featureNames,
  featureRegistry,
  featureSetFingerprint,
  featureSetId,
  fromFeatureVector,
  jitChangeMetricsV1,
  securityFeatureName,
  securityRuleIds,
  toFeatureVector,
  validateFeatureValues,
} from '@omen/features';
import type { FeatureSet } from '@omen/features';

const kamei = {
  ns: 1,
  nd: 2,
  nf: 3,
  entropy: 1.5,
  la: 10,
  ld: 4,
  lt: 100,
  fix: 1,
  ndev: 2,
  age: 3.5,
  nuc: 7,
  exp: 12,
  rexp: 4.25,
  sexp: 5,
};

describe('jit_change_metrics@v1', () => {
  it('lists the 14 Kamei metrics in the column order of the public JIT data sets', () => {
    // Changing this order silently would feed every deployed model permuted inputs: bump the version.
    expect(featureNames(jitChangeMetricsV1)).toEqual([
      'ns',
      'nd',
      'nf',
      'entropy',
      'la',
      'ld',
      'lt',
      'fix',
      'ndev',
      'age',
      'nuc',
      'exp',
      'rexp',
      'sexp',
    ]);
    expect(featureRegistry.get('jit_change_metrics')).toBe(jitChangeMetricsV1);
    expect(featureSetId(jitChangeMetricsV1)).toBe('jit_change_metrics@v1');
  });

  it('is frozen, so no service can edit the shared definition at run time', () => {
    const set = featureRegistry.get('jit_change_metrics', 1);
    expect(Object.isFrozen(set)).toBe(true);
    expect(Object.isFrozen(set.features)).toBe(true);
    expect(() => {
      (set.features as FeatureSet['features'][number][]).push({ name: 'x', type: 'real', description: 'x' });
    }).toThrow(TypeError);
  });
});

describe('code_metrics@v1', () => {
  it('has one count feature per security rule id', () => {
    const names = featureNames(codeMetricsV1);
    for (const rule of securityRuleIds) expect(names).toContain(securityFeatureName(rule));
    expect(names).toContain('complexity_delta');
    expect(codeMetricsV1.features.find((f) => f.name === 'comment_ratio')).toMatchObject({ min: 0, max: 1 });
  });
});

describe('FeatureRegistry', () => {
  it('names what exists when a set or version is unknown', () => {
    expect(() => featureRegistry.get('nope')).toThrow(NotFoundError);
    expect(() => featureRegistry.get('nope')).toThrow(/known: .*jit_change_metrics/);
    expect(() => featureRegistry.get('jit_change_metrics', 9)).toThrow(/has no version 9; known versions: 1/);
  });

  it('resolves the newest version by default and keeps old versions', () => {
    const v2: FeatureSet = { ...jitChangeMetricsV1, version: 2, features: jitChangeMetricsV1.features.slice(0, 3) };
    const registry = new FeatureRegistry([jitChangeMetricsV1, v2]);
    expect(registry.get('jit_change_metrics').version).toBe(2);
    expect(registry.get('jit_change_metrics', 1)).toBe(jitChangeMetricsV1);
    expect(registry.list().map(featureSetId)).toEqual(['jit_change_metrics@v1', 'jit_change_metrics@v2']);
  });

  it('refuses duplicate registrations and inconsistent sets', () => {
    expect(() => new FeatureRegistry([jitChangeMetricsV1, jitChangeMetricsV1])).toThrow(/registered twice/);
    const bad: FeatureSet = {
      name: 'Bad-Name',
      version: 0,
      scope: 'commit',
      description: 'x',
      features: [
        { name: 'a', type: 'real', description: 'a' },
        { name: 'a', type: 'real', description: '', min: 2, max: 1 },
      ],
    };
    const problems = checkFeatureSet(bad);
    expect(problems).toEqual([
      'set name "Bad-Name" is not snake_case',
      'Bad-Name: version must be an integer >= 1, got 0',
      'Bad-Name: feature "a" is declared twice',
      'Bad-Name.a: description is empty',
      'Bad-Name.a: min 2 > max 1',
    ]);
    expect(() => new FeatureRegistry([bad])).toThrow(InvalidArgumentError);
  });
});

describe('validateFeatureValues', () => {
  it('accepts a conforming row', () => {
    expect(validateFeatureValues(jitChangeMetricsV1, kamei)).toEqual([]);
  });

  it('names every bad feature: missing, non-finite, non-boolean, fractional count, below min, unknown', () => {
    const { ns: _ns, ...rest } = kamei;
    const problems = validateFeatureValues(jitChangeMetricsV1, {
      ...rest,
      nf: 2.5,
      fix: 2,
      la: -1,
      entropy: Number.NaN,
      bogus: 1,
    });
    expect(problems).toEqual([
      { feature: 'ns', problem: 'is missing' },
      { feature: 'nf', problem: 'is an integer, got 2.5' },
      { feature: 'entropy', problem: 'must be a finite number, got NaN' },
      { feature: 'la', problem: 'must be >= 0, got -1' },
      { feature: 'fix', problem: 'is boolean and must be 0 or 1, got 2' },
      { feature: 'bogus', problem: 'is not a feature of jit_change_metrics@v1' },
    ]);
  });

  it('allows absent features and unknown keys only when asked', () => {
    expect(
      validateFeatureValues(codeMetricsV1, { sloc: 3, extra: 1 }, { allowMissing: true, allowUnknown: true }),
    ).toEqual([]);
    expect(validateFeatureValues(codeMetricsV1, { comment_ratio: 1.5 }, { allowMissing: true })).toEqual([
      { feature: 'comment_ratio', problem: 'must be <= 1, got 1.5' },
    ]);
  });
});

describe('feature vectors', () => {
  it('orders values by the registry, whatever the map order', () => {
    const shuffled = Object.fromEntries(Object.entries(kamei).reverse());
    const v = toFeatureVector(jitChangeMetricsV1, shuffled);
    expect(Array.from(v)).toEqual([1, 2, 3, 1.5, 10, 4, 100, 1, 2, 3.5, 7, 12, 4.25, 5]);
    expect(fromFeatureVector(jitChangeMetricsV1, v)).toEqual(kamei);
  });

  it('refuses an invalid row with an error that names the feature', () => {
    const err = (() => {
      try {
        toFeatureVector(jitChangeMetricsV1, { ...kamei, lt: -5 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).field).toBe('values.lt');
    expect((err as Error).message).toContain('lt must be >= 0, got -5');
  });

  it('fills absent features only with an explicit missing value', () => {
    const { age: _age, ...rest } = kamei;
    expect(() => toFeatureVector(jitChangeMetricsV1, rest)).toThrow(/age is missing/);
    expect(toFeatureVector(jitChangeMetricsV1, rest, { missing: Number.NaN })[9]).toBeNaN();
    expect(() => fromFeatureVector(jitChangeMetricsV1, [1, 2])).toThrow(/has 14 values, got 2/);
  });
});

describe('featureSetFingerprint', () => {
  it('is stable and changes when the meaning changes', () => {
    const fp = featureSetFingerprint(jitChangeMetricsV1);
    expect(fp).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(featureSetFingerprint({ ...jitChangeMetricsV1 })).toBe(fp);
    const swapped = [...jitChangeMetricsV1.features];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    expect(featureSetFingerprint({ ...jitChangeMetricsV1, features: swapped })).not.toBe(fp);
    const retyped = jitChangeMetricsV1.features.map((f) => (f.name === 'fix' ? { ...f, type: 'real' as const } : f));
    expect(featureSetFingerprint({ ...jitChangeMetricsV1, features: retyped })).not.toBe(fp);
  });
});
