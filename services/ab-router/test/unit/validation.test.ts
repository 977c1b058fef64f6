import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@omen/errors';
import { validateSpec, type RawSpec } from '../../src/domain/experiment.ts';

const good = (): RawSpec => ({
  name: 'gbdt v7 vs champion',
  model_name: 'jit-defect',
  arms: [
    { name: 'control', model_version: 'champion', weight: 50 },
    { name: 'treatment', model_version: 'v7', weight: 50 },
  ],
  guardrails: [{ metric: 'error_rate', direction: 'GUARDRAIL_DIRECTION_MAX', threshold: 0.05, min_units: '100' }],
});

function fieldOf(raw: RawSpec | undefined): string | undefined {
  try {
    validateSpec(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as InvalidArgumentError).field;
  }
  return undefined;
}

describe('validateSpec', () => {
  it('normalises a good spec with the documented defaults', () => {
    const s = validateSpec(good());
    expect(s.unit).toBe('repo');
    expect(s.primaryMetric).toBe('latency_ms');
    expect(s.alpha).toBe(0.05);
    expect(s.metrics).toEqual(['latency_ms', 'error_rate']);
    expect(s.arms[0]!.name).toBe('control');
    expect(s.guardrails[0]).toEqual({ metric: 'error_rate', direction: 'MAX', threshold: 0.05, minUnits: 100 });
  });

  it.each<[string, (s: RawSpec) => void]>([
    ['spec.name', (s) => (s.name = ' ')],
    ['spec.model_name', (s) => (s.model_name = '')],
    ['spec.arms', (s) => (s.arms = s.arms!.slice(0, 1))],
    ['spec.arms[1].weight', (s) => (s.arms![1]!.weight = 0)],
    ['spec.arms[0].weight', (s) => (s.arms![0]!.weight = -1)],
    ['spec.arms[1].weight', (s) => (s.arms![1]!.weight = Number.POSITIVE_INFINITY)],
    ['spec.arms[1].model_version', (s) => (s.arms![1]!.model_version = '')],
    ['spec.arms[1].name', (s) => (s.arms![1]!.name = 'control')],
    ['spec.arms[0].name', (s) => (s.arms![0]!.name = 'has space')],
    ['spec.unit', (s) => (s.unit = 'user')],
    ['spec.primary_metric', (s) => (s.primary_metric = 'bug_detected')],
    ['spec.metrics[0]', (s) => (s.metrics = ['nope'])],
    ['spec.alpha', (s) => (s.alpha = 1.5)],
    ['spec.guardrails[0].direction', (s) => (s.guardrails![0]!.direction = 'GUARDRAIL_DIRECTION_UNSPECIFIED')],
    ['spec.guardrails[0].threshold', (s) => (s.guardrails![0]!.threshold = 2)],
    ['spec.guardrails[0].min_units', (s) => (s.guardrails![0]!.min_units = '0')],
    ['spec.guardrails[0].metric', (s) => (s.guardrails![0]!.metric = '')],
  ])('refuses a bad %s, naming the field', (field, spoil) => {
    const s = good();
    spoil(s);
    expect(fieldOf(s)).toBe(field);
  });

  it('refuses a missing spec', () => {
    expect(fieldOf(undefined)).toBe('spec');
  });
});
