import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError } from '@omen/errors';
import { featureRegistry, validateFeatureValues } from '@omen/features';
import { checkInlineFeatureSet, inlineRow, storedRow } from '../../src/domain/inputs.ts';
import { seeded } from '../helpers/onnx-models.ts';

const jit = featureRegistry.get('jit_change_metrics', 1);
const code = featureRegistry.get('code_metrics', 1);

/** Values that are sometimes valid and sometimes wrong in each of the ways a caller gets them wrong. */
function fuzzValues(rand: () => number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of jit.features) {
    const r = rand();
    if (r < 0.03) continue; // missing
    if (r < 0.05) out[f.name] = Number.NaN;
    else if (r < 0.07) out[f.name] = -1;
    else if (r < 0.09) out[f.name] = 2.5;
    else if (r < 0.11) out[f.name] = 2;
    else
      out[f.name] =
        f.type === 'boolean' ? (rand() < 0.5 ? 0 : 1) : f.type === 'integer' ? Math.floor(rand() * 50) : rand() * 5;
  }
  if (rand() < 0.03) out['extra_feature'] = 1;
  return out;
}

describe('inlineRow', () => {
  it('accepts exactly what the feature registry accepts (fast path and registry agree)', () => {
    const rand = seeded(17);
    let valid = 0;
    for (let i = 0; i < 3000; i++) {
      const values = fuzzValues(rand);
      const ok = validateFeatureValues(jit, values).length === 0;
      if (ok) {
        valid++;
        const row = inlineRow(jit, values, 'features.values');
        expect([...row]).toEqual(jit.features.map((f) => Math.fround(values[f.name]!)));
      } else {
        expect(() => inlineRow(jit, values, 'features.values')).toThrow(InvalidArgumentError);
      }
    }
    // Both branches were exercised.
    expect(valid).toBeGreaterThan(100);
    expect(valid).toBeLessThan(2900);
  });

  it('names the first offending feature in the field and lists every problem', () => {
    const values = Object.fromEntries(jit.features.map((f) => [f.name, 1]));
    delete values['nd'];
    values['nf'] = 1.5;
    try {
      inlineRow(jit, values, 'requests[2].features.values');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidArgumentError);
      const e = err as InvalidArgumentError;
      expect(e.field).toBe('requests[2].features.values.nd');
      expect(e.message).toMatch(/13 values given, jit_change_metrics@v1 has 14/);
      expect(e.message).toMatch(/nd is missing; nf is an integer, got 1.5/);
    }
  });
});

describe('storedRow', () => {
  it('ignores other keys but refuses what the model cannot score, naming the key', () => {
    const values = Object.fromEntries(code.features.map((f) => [f.name, f.name === 'comment_ratio' ? 0.2 : 1]));
    expect(storedRow(code, { ...values, later_feature: 3 }, 'k').length).toBe(code.features.length);
    const { sloc: _gone, ...missing } = values;
    expect(() => storedRow(code, missing, 'omen:features:{r}:abc code_metrics@v1')).toThrow(FailedPreconditionError);
    expect(() => storedRow(code, missing, 'omen:features:{r}:abc code_metrics@v1')).toThrow(
      /omen:features:\{r\}:abc.*sloc is missing/,
    );
  });
});

describe('checkInlineFeatureSet', () => {
  it('accepts an empty name/version and refuses another set or version', () => {
    expect(() => checkInlineFeatureSet(jit, '', 0, 'features')).not.toThrow();
    expect(() => checkInlineFeatureSet(jit, 'jit_change_metrics', 1, 'features')).not.toThrow();
    expect(() => checkInlineFeatureSet(jit, 'jit_change_metrics', 2, 'features')).toThrow(/feature_set_version is 2/);
    expect(() => checkInlineFeatureSet(jit, 'code_metrics', 0, 'features')).toThrow(/feature_set is "code_metrics"/);
  });
});
