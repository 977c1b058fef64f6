// Guardrails: a treatment arm's observed metric against an absolute threshold, once the arm has
// enough units. The control arm is what traffic goes back to, so it is never the breaching arm.
import type { GuardrailSpec } from './experiment.ts';
import type { Summary } from './statistics.ts';

export interface ArmObservation {
  arm: string;
  units: number;
  metrics: ReadonlyMap<string, Summary>;
}

export interface Breach {
  arm: string;
  guardrail: GuardrailSpec;
  value: number;
  units: number;
}

/** The first breach among the treatment arms (arms[0] is the control), or undefined. */
export function findBreach(guardrails: readonly GuardrailSpec[], arms: readonly ArmObservation[]): Breach | undefined {
  for (const arm of arms.slice(1)) {
    for (const g of guardrails) {
      if (arm.units < g.minUnits) continue;
      const s = arm.metrics.get(g.metric);
      if (!s || s.count === 0) continue;
      const breached = g.direction === 'MAX' ? s.mean > g.threshold : s.mean < g.threshold;
      if (breached) return { arm: arm.arm, guardrail: g, value: s.mean, units: arm.units };
    }
  }
  return undefined;
}

export function describeBreach(b: Breach): string {
  const op = b.guardrail.direction === 'MAX' ? '>' : '<';
  return `guardrail ${b.guardrail.metric} breached by arm ${b.arm}: ${b.value.toPrecision(4)} ${op} ${b.guardrail.threshold} after ${b.units} units`;
}
