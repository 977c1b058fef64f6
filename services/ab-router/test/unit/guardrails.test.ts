import { describe, expect, it } from 'vitest';
import type { GuardrailSpec } from '../../src/domain/experiment.ts';
import { describeBreach, findBreach, type ArmObservation } from '../../src/domain/guardrails.ts';

const errorRate: GuardrailSpec = { metric: 'error_rate', direction: 'MAX', threshold: 0.1, minUnits: 50 };
const probFloor: GuardrailSpec = { metric: 'bug_probability', direction: 'MIN', threshold: 0.2, minUnits: 10 };

const arm = (name: string, units: number, metrics: Record<string, number>): ArmObservation => ({
  arm: name,
  units,
  metrics: new Map(Object.entries(metrics).map(([m, mean]) => [m, { count: units, mean, stddev: 0 }])),
});

describe('findBreach', () => {
  it('breaches a MAX guardrail once the treatment has min_units and exceeds the threshold', () => {
    const b = findBreach(
      [errorRate],
      [arm('control', 100, { error_rate: 0 }), arm('treatment', 60, { error_rate: 0.3 })],
    );
    expect(b).toMatchObject({ arm: 'treatment', value: 0.3, units: 60 });
    expect(describeBreach(b!)).toContain('error_rate breached by arm treatment');
  });

  it('waits for min_units', () => {
    expect(
      findBreach([errorRate], [arm('control', 100, { error_rate: 0 }), arm('treatment', 49, { error_rate: 1 })]),
    ).toBeUndefined();
  });

  it('does not breach at the threshold itself, nor below it', () => {
    expect(
      findBreach([errorRate], [arm('control', 100, {}), arm('treatment', 100, { error_rate: 0.1 })]),
    ).toBeUndefined();
  });

  it('never blames the control arm', () => {
    expect(
      findBreach([errorRate], [arm('control', 1000, { error_rate: 0.9 }), arm('treatment', 100, { error_rate: 0 })]),
    ).toBeUndefined();
  });

  it('breaches a MIN guardrail below the threshold, and checks every treatment arm', () => {
    const b = findBreach(
      [errorRate, probFloor],
      [
        arm('control', 100, {}),
        arm('a', 100, { error_rate: 0, bug_probability: 0.5 }),
        arm('b', 100, { error_rate: 0, bug_probability: 0.1 }),
      ],
    );
    expect(b).toMatchObject({ arm: 'b', guardrail: probFloor });
  });

  it('ignores a metric with no observations', () => {
    expect(findBreach([probFloor], [arm('control', 100, {}), arm('t', 100, {})])).toBeUndefined();
  });
});
