import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@omen/errors';
import type { inferenceV1 } from '@omen/contracts';
import { experimentMessage, unitOf } from '../../src/server/abrouter-service.ts';
import { validateSpec } from '../../src/domain/experiment.ts';

const req = (r: Partial<inferenceV1.PredictRequest__Output>) => r as inferenceV1.PredictRequest__Output;

describe('unitOf', () => {
  it('prefers the explicit unit, else the repo or the sha per the experiment unit', () => {
    const commit = req({ commit: { repo_id: 'github:acme/api', sha: 'f00' } });
    expect(unitOf(commit, 'repo', 'explicit')).toBe('explicit');
    expect(unitOf(commit, 'repo', '')).toBe('github:acme/api');
    expect(unitOf(commit, 'commit', '')).toBe('f00');
    const inline = req({
      features: { values: {}, feature_set: '', feature_set_version: 0, repo_id: 'github:acme/x', entity_id: 'e1' },
    });
    expect(unitOf(inline, 'commit', '')).toBe('e1');
  });

  it('refuses a request it cannot derive a unit from, naming unit_id', () => {
    const inline = req({
      features: { values: {}, feature_set: '', feature_set_version: 0, repo_id: '', entity_id: '' },
    });
    expect(() => unitOf(inline, 'repo', '')).toThrow(InvalidArgumentError);
    try {
      unitOf(inline, 'repo', '');
    } catch (err) {
      expect((err as InvalidArgumentError).field).toBe('unit_id');
    }
  });
});

describe('experimentMessage', () => {
  it('writes the proto shape: enum names, int64 as strings, optional comparison fields only for treatments', () => {
    const spec = validateSpec({
      name: 'x',
      model_name: 'm',
      arms: [
        { name: 'c', model_version: 'champion', weight: 1 },
        { name: 't', model_version: 'v2', weight: 3 },
      ],
      guardrails: [{ metric: 'latency_ms', direction: 2, threshold: 5, min_units: 7 }],
    });
    const msg = experimentMessage(
      {
        id: 'exp-1',
        spec,
        state: 'ROLLED_BACK',
        createdAt: 1_700_000_000_123,
        stoppedAt: 1_700_000_001_000,
        stopReason: 'why',
      },
      [
        { arm: 'c', units: 10, metrics: [{ metric: 'latency_ms', summary: { count: 10, mean: 2, stddev: 1 } }] },
        {
          arm: 't',
          units: 12,
          metrics: [
            {
              metric: 'latency_ms',
              summary: { count: 12, mean: 3, stddev: 1 },
              lift: 0.5,
              pValue: 0.04,
              ciLow: 0.1,
              ciHigh: 1.9,
            },
          ],
        },
      ],
    );
    expect(msg.state).toBe('EXPERIMENT_STATE_ROLLED_BACK');
    expect(msg.created_at).toEqual({ seconds: '1700000000', nanos: 123_000_000 });
    expect(msg.spec!.guardrails![0]).toEqual({
      metric: 'latency_ms',
      direction: 'GUARDRAIL_DIRECTION_MIN',
      threshold: 5,
      min_units: '7',
    });
    expect(msg.stats![0]!.metrics![0]).toEqual({ metric: 'latency_ms', count: '10', mean: 2, stddev: 1 });
    expect(msg.stats![1]!.metrics![0]).toMatchObject({ lift: 0.5, p_value: 0.04, ci_low: 0.1, ci_high: 1.9 });
    // 10 / 12 units for weights 1 / 3: 5.5 expected against 16.5, χ² = 4.5² / 5.5 + 4.5² / 16.5.
    expect(msg.srm!.chi2).toBeCloseTo(4.5 ** 2 / 5.5 + 4.5 ** 2 / 16.5, 9);
    expect(msg.srm!.p_value).toBeCloseTo(0.0267, 3);
    expect(msg.srm!.mismatch).toBe(false);
  });

  it('has no sample-ratio check before the first unit', () => {
    const spec = validateSpec({
      name: 'x',
      model_name: 'm',
      arms: [
        { name: 'c', model_version: 'champion', weight: 1 },
        { name: 't', model_version: 'v2', weight: 1 },
      ],
    });
    expect(
      experimentMessage({ id: 'exp-1', spec, state: 'RUNNING', createdAt: 1, stoppedAt: 0 }, []).srm,
    ).toBeUndefined();
  });
});
