// What a canary does next, from the evidence of one evaluation. Pure: the evaluator gathers the
// evidence (ClickHouse, Redis) and acts on the answer (Redis, the trainer's Promote).
//
// Order: a sample-ratio mismatch blocks everything (the split is broken, nothing measured on it
// can be trusted); a guardrail on which the challenger is worse than control by an always-valid
// confidence sequence, or a primary metric on which it is worse, rolls back; a primary metric on
// which it is better promotes at the last ramp stage; otherwise the stage advances once the
// challenger has served enough units in it.
import type { CanarySpec, ExperimentSpec, GuardrailSpec, LabelMetric } from './experiment.ts';
import { currentWeights } from './experiment.ts';
import type { ArmOutcomes } from './outcomes.ts';
import {
  diffSequence,
  meanDiffSequence,
  sampleSize,
  srm,
  type ConfidenceSequence,
  type SampleSize,
  type Srm,
} from './sequential.ts';
import type { Summary } from './statistics.ts';

export type Verdict = 'better' | 'worse' | 'undecided';
export type Action = 'wait' | 'ramp' | 'promote' | 'rollback' | 'blocked';

export interface SequentialResult extends ConfidenceSequence {
  metric: string;
  verdict: Verdict;
}

export interface Evidence {
  stage: number;
  weights: number[];
  exposures: Record<string, number>;
  srm: Srm | undefined;
  primary: SequentialResult | undefined;
  guardrails: SequentialResult[];
  labelled: Record<string, number>;
}

export interface DecisionOutcome {
  action: Action;
  reason: string;
  evidence: Evidence;
}

export interface DecideInput {
  spec: ExperimentSpec & { canary: CanarySpec };
  stage: number;
  /** Distinct units per arm served in the current stage. */
  exposures: ReadonlyMap<string, number>;
  /** Ground-truth metrics per arm (control first). */
  outcomes: ReadonlyMap<string, ArmOutcomes>;
  /** Label-free metric summaries per arm, from the Redis moments. */
  summaries: ReadonlyMap<string, ReadonlyMap<string, Summary>>;
}

const LOWER_IS_BETTER: Record<LabelMetric, boolean> = { brier: true, log_loss: true, auc: false };

/** The fixed-horizon size shown at creation; its total is also the confidence sequence's N*. */
export function canarySampleSize(spec: ExperimentSpec & { canary: CanarySpec }): SampleSize {
  const last = spec.canary.ramp[spec.canary.ramp.length - 1]!;
  return sampleSize({
    mde: spec.canary.mde,
    stddev: spec.canary.baselineStddev,
    alpha: spec.alpha,
    power: spec.canary.power,
    ratio: (1 - last) / last,
  });
}

function verdictOf(cs: ConfidenceSequence, lowerIsBetter: boolean): Verdict {
  if (cs.high < 0) return lowerIsBetter ? 'better' : 'worse';
  if (cs.low > 0) return lowerIsBetter ? 'worse' : 'better';
  return 'undecided';
}

/** Challenger − control on the primary ground-truth metric; undefined below min_labelled per arm. */
export function primarySequence(
  metric: LabelMetric,
  control: ArmOutcomes | undefined,
  challenger: ArmOutcomes | undefined,
  alpha: number,
  nStar: number,
  minLabelled: number,
): SequentialResult | undefined {
  if (!control || !challenger || control.n < minLabelled || challenger.n < minLabelled) return undefined;
  let cs: ConfidenceSequence | undefined;
  if (metric === 'auc') {
    if (control.auc.value === undefined || challenger.auc.value === undefined) return undefined;
    cs = diffSequence(
      challenger.auc.value - control.auc.value,
      (challenger.aucVar ?? 0) + (control.aucVar ?? 0),
      control.n + challenger.n,
      alpha,
      nStar,
    );
  } else {
    const pick = (o: ArmOutcomes) =>
      metric === 'brier'
        ? { n: o.n, mean: o.brier.value ?? 0, variance: o.brierVar }
        : { n: o.n, mean: o.logLoss.value ?? 0, variance: o.logLossVar };
    cs = meanDiffSequence(pick(challenger), pick(control), alpha, nStar);
  }
  if (!cs) return undefined;
  return { metric, ...cs, verdict: verdictOf(cs, LOWER_IS_BETTER[metric]) };
}

/** A guardrail as a sequential test: is the challenger worse than control in the guarded direction? */
export function guardrailSequence(
  g: GuardrailSpec,
  control: Summary | undefined,
  challenger: Summary | undefined,
  alpha: number,
  nStar: number,
): SequentialResult | undefined {
  if (!control || !challenger) return undefined;
  const cs = meanDiffSequence(
    { n: challenger.count, mean: challenger.mean, variance: challenger.stddev ** 2 },
    { n: control.count, mean: control.mean, variance: control.stddev ** 2 },
    alpha,
    nStar,
  );
  if (!cs) return undefined;
  // MAX guards against the metric going up: up is worse.
  const verdict = verdictOf(cs, g.direction === 'MAX');
  return { metric: g.metric, ...cs, verdict };
}

export function decide(input: DecideInput): DecisionOutcome {
  const { spec, stage } = input;
  const c = spec.canary;
  const [control, challenger] = [spec.arms[0]!.name, spec.arms[1]!.name];
  const weights = currentWeights(spec, stage);
  const exposures = [input.exposures.get(control) ?? 0, input.exposures.get(challenger) ?? 0];
  const nStar = Math.max(100, canarySampleSize(spec).total);
  const evidence: Evidence = {
    stage,
    weights,
    exposures: { [control]: exposures[0]!, [challenger]: exposures[1]! },
    srm: srm(exposures, weights),
    primary: primarySequence(
      spec.primaryMetric as LabelMetric,
      input.outcomes.get(control),
      input.outcomes.get(challenger),
      spec.alpha,
      nStar,
      c.minLabelled,
    ),
    guardrails: [],
    labelled: { [control]: input.outcomes.get(control)?.n ?? 0, [challenger]: input.outcomes.get(challenger)?.n ?? 0 },
  };
  for (const g of spec.guardrails) {
    const r = guardrailSequence(
      g,
      input.summaries.get(control)?.get(g.metric),
      input.summaries.get(challenger)?.get(g.metric),
      spec.alpha,
      nStar,
    );
    if (r) evidence.guardrails.push(r);
  }
  if (evidence.srm?.mismatch) {
    return {
      action: 'blocked',
      reason: `sample ratio mismatch: units ${exposures.join(' / ')} for weights ${weights.map((w) => w.toFixed(2)).join(' / ')} (χ² ${evidence.srm.chi2.toFixed(2)}, p ${evidence.srm.pValue.toExponential(2)} < 0.001); no decision until the split is fixed`,
      evidence,
    };
  }
  const breach = evidence.guardrails.find((g) => g.verdict === 'worse');
  if (breach)
    return {
      action: 'rollback',
      reason: `guardrail ${breach.metric}: challenger worse than control (difference ${fmt(breach.diff)}, always-valid ${pct(spec.alpha)} interval [${fmt(breach.low)}, ${fmt(breach.high)}] after ${breach.n} observations)`,
      evidence,
    };
  const p = evidence.primary;
  if (p?.verdict === 'worse')
    return {
      action: 'rollback',
      reason: `primary metric ${p.metric}: challenger worse than control (difference ${fmt(p.diff)}, always-valid ${pct(spec.alpha)} interval [${fmt(p.low)}, ${fmt(p.high)}] over ${p.n} labelled commits)`,
      evidence,
    };
  const last = stage >= c.ramp.length - 1;
  if (p?.verdict === 'better' && last)
    return {
      action: 'promote',
      reason: `primary metric ${p.metric}: challenger better than control (difference ${fmt(p.diff)}, always-valid ${pct(spec.alpha)} interval [${fmt(p.low)}, ${fmt(p.high)}] over ${p.n} labelled commits), no guardrail breached`,
      evidence,
    };
  if (!last && exposures[1]! >= c.minUnitsPerStage)
    return {
      action: 'ramp',
      reason: `stage ${stage + 1} of ${c.ramp.length} held: ${exposures[1]} challenger units ≥ ${c.minUnitsPerStage}, no SRM, no guardrail breach; challenger share ${c.ramp[stage]} → ${c.ramp[stage + 1]}`,
      evidence,
    };
  return {
    action: 'wait',
    reason: p
      ? `primary metric ${p.metric} undecided: [${fmt(p.low)}, ${fmt(p.high)}]`
      : 'too few matured labels for the primary metric',
    evidence,
  };
}

const fmt = (x: number) => x.toPrecision(3);
const pct = (alpha: number) => `${Math.round((1 - alpha) * 1000) / 10}%`;
