// The canary's decision order: SRM blocks; a worse guardrail or primary metric rolls back; a
// better primary metric promotes only at the last ramp stage; otherwise the stage advances once
// the challenger served enough units in it.
import { describe, expect, it } from 'vitest';
import { decide, type DecideInput } from '../../src/domain/decide.ts';
import { validateSpec, type CanarySpec, type ExperimentSpec } from '../../src/domain/experiment.ts';
import { armOutcomes, type Scored } from '../../src/domain/outcomes.ts';
import type { Summary } from '../../src/domain/statistics.ts';

const spec = validateSpec({
  name: 'c',
  model_name: 'm',
  arms: [
    { name: 'control', model_version: 'champion', weight: 1 },
    { name: 'challenger', model_version: 'v2', weight: 1 },
  ],
  guardrails: [{ metric: 'latency_ms', direction: 'GUARDRAIL_DIRECTION_MAX', threshold: 1000, min_units: 1 }],
  canary: { ramp: [0.1, 0.5], min_units_per_stage: 50, min_labelled: 100 },
}) as ExperimentSpec & { canary: CanarySpec };

/** n commits, 30% positive; `sharp` separates the classes (1 = perfect, 0 = noise). */
function rows(n: number, sharp: number): Scored[] {
  return Array.from({ length: n }, (_, i) => {
    const y = i % 10 < 3 ? 1 : 0;
    const u = ((i * 7919) % 1000) / 1000;
    return { y, p: Math.min(1, Math.max(0, 0.3 + sharp * (y - 0.3) + (1 - sharp) * (u - 0.5) * 0.6)) };
  });
}

const latency = (mean: number): Summary => ({ count: 400, mean, stddev: 5 });

function input(o: Partial<DecideInput> & { stage: number }): DecideInput {
  return {
    spec,
    exposures: new Map([
      ['control', 450],
      ['challenger', 50],
    ]),
    outcomes: new Map([
      ['control', armOutcomes(rows(400, 0.2))],
      ['challenger', armOutcomes(rows(400, 0.2))],
    ]),
    summaries: new Map([
      ['control', new Map([['latency_ms', latency(50)]])],
      ['challenger', new Map([['latency_ms', latency(50)]])],
    ]),
    ...o,
  };
}

describe('decide', () => {
  it('ramps an undecided canary whose challenger served enough units in the stage', () => {
    expect(decide(input({ stage: 0 })).action).toBe('ramp');
    expect(
      decide(
        input({
          stage: 0,
          exposures: new Map([
            ['control', 450],
            ['challenger', 49],
          ]),
        }),
      ).action,
    ).toBe('wait');
    expect(
      decide(
        input({
          stage: 1,
          exposures: new Map([
            ['control', 250],
            ['challenger', 250],
          ]),
        }),
      ).action,
    ).toBe('wait');
  });

  it('blocks every decision on a sample-ratio mismatch', () => {
    const d = decide(
      input({
        stage: 0,
        exposures: new Map([
          ['control', 300],
          ['challenger', 200],
        ]),
        outcomes: new Map([
          ['control', armOutcomes(rows(400, 0.1))],
          ['challenger', armOutcomes(rows(400, 0.9))],
        ]),
      }),
    );
    expect(d.action).toBe('blocked');
    expect(d.evidence.srm!.mismatch).toBe(true);
  });

  it('promotes a better challenger only at the last stage', () => {
    const better = new Map([
      ['control', armOutcomes(rows(400, 0.1))],
      ['challenger', armOutcomes(rows(400, 0.9))],
    ]);
    expect(decide(input({ stage: 0, outcomes: better })).action).toBe('ramp');
    const d = decide(
      input({
        stage: 1,
        outcomes: better,
        exposures: new Map([
          ['control', 250],
          ['challenger', 250],
        ]),
      }),
    );
    expect(d.action).toBe('promote');
    expect(d.evidence.primary!.verdict).toBe('better');
    expect(d.evidence.primary!.high).toBeLessThan(0);
  });

  it('rolls back a worse challenger at any stage, and on a guardrail it is worse on', () => {
    const worse = new Map([
      ['control', armOutcomes(rows(400, 0.9))],
      ['challenger', armOutcomes(rows(400, 0.1))],
    ]);
    expect(decide(input({ stage: 0, outcomes: worse })).action).toBe('rollback');
    const slow = decide(
      input({
        stage: 0,
        summaries: new Map([
          ['control', new Map([['latency_ms', latency(50)]])],
          ['challenger', new Map([['latency_ms', latency(60)]])],
        ]),
      }),
    );
    expect(slow.action).toBe('rollback');
    expect(slow.reason).toMatch(/^guardrail latency_ms/);
  });

  it('waits below min_labelled per arm', () => {
    const few = new Map([
      ['control', armOutcomes(rows(99, 0.1))],
      ['challenger', armOutcomes(rows(400, 0.9))],
    ]);
    const d = decide(
      input({
        stage: 1,
        outcomes: few,
        exposures: new Map([
          ['control', 250],
          ['challenger', 250],
        ]),
      }),
    );
    expect(d.action).toBe('wait');
    expect(d.evidence.primary).toBeUndefined();
  });
});
