// The experiment as the router keeps it (in Redis, as JSON) and validates it. The proto's
// ExperimentSpec is the input; this is the checked, normalised form.
import { InvalidArgumentError } from '@omen/errors';
import { checkName } from '@omen/ids';

export type ExperimentStateName = 'RUNNING' | 'STOPPED' | 'ROLLED_BACK' | 'PROMOTED';
export type GuardrailDirectionName = 'MAX' | 'MIN';

export interface ArmSpec {
  name: string;
  modelVersion: string;
  weight: number;
}

export interface GuardrailSpec {
  metric: string;
  direction: GuardrailDirectionName;
  threshold: number;
  minUnits: number;
}

export interface ExperimentSpec {
  name: string;
  description: string;
  modelName: string;
  /** arms[0] is the control (the proto says so); names are unique. */
  arms: ArmSpec[];
  unit: 'repo' | 'commit';
  primaryMetric: string;
  metrics: string[];
  guardrails: GuardrailSpec[];
  alpha: number;
  /** A canary decides by itself (two arms); absent for an experiment that only routes and reports. */
  canary?: CanarySpec;
}

/** Ground-truth metrics a canary's primary metric may be (lower is better for all but auc). */
export const LABEL_METRICS = ['brier', 'log_loss', 'auc'] as const;
export type LabelMetric = (typeof LABEL_METRICS)[number];

export interface CanarySpec {
  /** Challenger share per stage, strictly increasing in (0, 1). */
  ramp: number[];
  minUnitsPerStage: number;
  minLabelled: number;
  /** 0 = the service's ABROUTER_LABEL_MATURITY. */
  labelMaturityMs: number;
  threshold: number;
  mde: number;
  power: number;
  baselineStddev: number;
}

export const DEFAULT_RAMP = [0.05, 0.25, 0.5];

/** The weights routing uses now: a canary's stage share for the challenger, else the spec's. */
export function currentWeights(spec: ExperimentSpec, stage: number): number[] {
  if (!spec.canary) return spec.arms.map((a) => a.weight);
  const share = spec.canary.ramp[Math.min(stage, spec.canary.ramp.length - 1)]!;
  return [1 - share, share];
}

export interface ExperimentRecord {
  id: string;
  spec: ExperimentSpec;
  state: ExperimentStateName;
  createdAt: number;
  stoppedAt?: number;
  stopReason?: string;
  /** Canary: the ramp stage (0-based) and when it began. */
  stage?: number;
  stageStartedAt?: number;
  /** The last evaluation and the last decision that changed something, as JSON (src/evaluator.ts). */
  evaluation?: string;
  decision?: string;
}

/**
 * What the router can observe on every request without labels: the served prediction's
 * latency, whether inference failed (a 0/1 rate), and the predicted bug probability.
 * A metric that needs ground truth (e.g. "bug_detected") would come from labels joined later;
 * the router refuses it rather than report an empty summary.
 */
export const OBSERVED_METRICS = ['latency_ms', 'error_rate', 'bug_probability'] as const;
export type ObservedMetric = (typeof OBSERVED_METRICS)[number];
/** Metrics whose observations are 0/1: summarised as rates, tested with the two-proportion z-test. */
export const RATE_METRICS: ReadonlySet<string> = new Set(['error_rate']);

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The raw spec as it arrives from gRPC (proto field names, enum names as strings). */
export interface RawSpec {
  name?: string | undefined;
  description?: string | undefined;
  model_name?: string | undefined;
  arms?: { name?: string; model_version?: string; weight?: number }[] | undefined;
  unit?: string | undefined;
  primary_metric?: string | undefined;
  metrics?: string[] | undefined;
  guardrails?:
    { metric?: string; direction?: string | number; threshold?: number; min_units?: string | number }[] | undefined;
  alpha?: number | undefined;
  canary?: RawCanary | null | undefined;
}

export interface RawCanary {
  ramp?: number[] | undefined;
  min_units_per_stage?: string | number | undefined;
  min_labelled?: string | number | undefined;
  label_maturity_seconds?: string | number | undefined;
  threshold?: number | undefined;
  mde?: number | undefined;
  power?: number | undefined;
  baseline_stddev?: number | undefined;
}

const bad = (field: string, message: string) => new InvalidArgumentError(`${field}: ${message}`, field);

function metricName(field: string, value: string | undefined): string {
  if (!value) throw bad(field, 'is required');
  if (!(OBSERVED_METRICS as readonly string[]).includes(value))
    throw bad(field, `"${value}" is not a metric the router observes (${OBSERVED_METRICS.join(', ')})`);
  return value;
}

/**
 * Checks a spec and returns it normalised, or throws INVALID_ARGUMENT naming the first bad
 * field (e.g. `spec.arms[1].weight`). Defaults: unit "repo", primary metric "latency_ms",
 * alpha 0.05, metrics = primary metric + error_rate + every guardrail metric.
 */
export function validateSpec(raw: RawSpec | null | undefined): ExperimentSpec {
  if (!raw) throw bad('spec', 'is required');
  const name = (raw.name ?? '').trim();
  if (!name) throw bad('spec.name', 'is required');
  if (name.length > 200) throw bad('spec.name', 'is longer than 200 characters');
  const modelName = (raw.model_name ?? '').trim();
  if (!modelName) throw bad('spec.model_name', 'is required');
  checkName(modelName, 'spec.model_name');
  const rawArms = raw.arms ?? [];
  if (rawArms.length < 2)
    throw bad('spec.arms', `needs at least 2 arms (the first is the control), got ${rawArms.length}`);
  if (rawArms.length > 20) throw bad('spec.arms', `at most 20 arms, got ${rawArms.length}`);
  const seen = new Set<string>();
  const arms = rawArms.map((a, i): ArmSpec => {
    const field = `spec.arms[${i}]`;
    const armName = (a.name ?? '').trim();
    if (!NAME.test(armName)) throw bad(`${field}.name`, `"${armName}" must be 1-63 letters, digits, ".", "_" or "-"`);
    if (seen.has(armName)) throw bad(`${field}.name`, `"${armName}" is used by another arm`);
    seen.add(armName);
    const modelVersion = (a.model_version ?? '').trim();
    if (!modelVersion) throw bad(`${field}.model_version`, 'is required (a version or an alias such as "champion")');
    checkName(modelVersion, `${field}.model_version`);
    const weight = a.weight ?? 0;
    if (!Number.isFinite(weight) || weight <= 0)
      throw bad(`${field}.weight`, `must be a finite number > 0, got ${weight}`);
    return { name: armName, modelVersion, weight };
  });
  const unit = raw.unit === undefined || raw.unit === '' ? 'repo' : raw.unit;
  if (unit !== 'repo' && unit !== 'commit') throw bad('spec.unit', `must be "repo" or "commit", got "${unit}"`);
  const canary = raw.canary ? validateCanary(raw.canary, arms.length) : undefined;
  let primaryMetric: string;
  if (canary) {
    primaryMetric = raw.primary_metric || 'brier';
    if (!(LABEL_METRICS as readonly string[]).includes(primaryMetric))
      throw bad(
        'spec.primary_metric',
        `a canary decides on a ground-truth metric (${LABEL_METRICS.join(', ')}), got "${primaryMetric}"`,
      );
  } else {
    primaryMetric = metricName('spec.primary_metric', raw.primary_metric || 'latency_ms');
  }
  const guardrails = (raw.guardrails ?? []).map((g, i): GuardrailSpec => {
    const field = `spec.guardrails[${i}]`;
    const metric = metricName(`${field}.metric`, g.metric);
    const direction =
      g.direction === 'GUARDRAIL_DIRECTION_MAX' || g.direction === 1
        ? 'MAX'
        : g.direction === 'GUARDRAIL_DIRECTION_MIN' || g.direction === 2
          ? 'MIN'
          : undefined;
    if (!direction) throw bad(`${field}.direction`, 'must be GUARDRAIL_DIRECTION_MAX or GUARDRAIL_DIRECTION_MIN');
    const threshold = g.threshold ?? NaN;
    if (!Number.isFinite(threshold)) throw bad(`${field}.threshold`, 'must be a finite number');
    if (RATE_METRICS.has(metric) && (threshold < 0 || threshold > 1))
      throw bad(`${field}.threshold`, `a rate threshold is in [0, 1], got ${threshold}`);
    const minUnits = Number(g.min_units ?? 0);
    if (!Number.isInteger(minUnits) || minUnits < 1)
      throw bad(`${field}.min_units`, `must be an integer ≥ 1, got ${g.min_units}`);
    return { metric, direction, threshold, minUnits };
  });
  const extra = (raw.metrics ?? []).map((m, i) => metricName(`spec.metrics[${i}]`, m));
  // A canary's primary metric comes from labels (ClickHouse), not from the Redis moments.
  const metrics = [
    ...new Set([
      ...(canary ? ['latency_ms'] : [primaryMetric]),
      'error_rate',
      ...extra,
      ...guardrails.map((g) => g.metric),
    ]),
  ];
  const alpha = raw.alpha === undefined || raw.alpha === 0 ? 0.05 : raw.alpha;
  if (!(alpha > 0 && alpha < 1)) throw bad('spec.alpha', `must be in (0, 1), got ${alpha}`);
  return {
    name,
    description: raw.description ?? '',
    modelName,
    arms,
    unit,
    primaryMetric,
    metrics,
    guardrails,
    alpha,
    ...(canary ? { canary } : {}),
  };
}

function positiveInt(field: string, v: string | number | undefined, dflt: number): number {
  if (v === undefined || v === '' || Number(v) === 0) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw bad(field, `must be an integer ≥ 1, got ${v}`);
  return n;
}

function fraction(field: string, v: number | undefined, dflt: number): number {
  if (v === undefined || v === 0) return dflt;
  if (!(v > 0 && v < 1)) throw bad(field, `must be in (0, 1), got ${v}`);
  return v;
}

function validateCanary(raw: RawCanary, armCount: number): CanarySpec {
  if (armCount !== 2) throw bad('spec.arms', `a canary has exactly 2 arms (control, challenger), got ${armCount}`);
  const ramp = raw.ramp && raw.ramp.length > 0 ? raw.ramp : DEFAULT_RAMP;
  if (ramp.length > 10) throw bad('spec.canary.ramp', `at most 10 stages, got ${ramp.length}`);
  ramp.forEach((w, i) => {
    if (!(w > 0 && w < 1)) throw bad(`spec.canary.ramp[${i}]`, `a challenger share is in (0, 1), got ${w}`);
    if (i > 0 && !(w > ramp[i - 1]!))
      throw bad(`spec.canary.ramp[${i}]`, `stages must increase, got ${w} after ${ramp[i - 1]}`);
  });
  const maturity = Number(raw.label_maturity_seconds ?? 0);
  if (!Number.isInteger(maturity) || maturity < 0)
    throw bad('spec.canary.label_maturity_seconds', `must be an integer ≥ 0, got ${raw.label_maturity_seconds}`);
  const stddev = raw.baseline_stddev === undefined || raw.baseline_stddev === 0 ? 0.2 : raw.baseline_stddev;
  if (!(stddev > 0 && Number.isFinite(stddev)))
    throw bad('spec.canary.baseline_stddev', `must be > 0, got ${raw.baseline_stddev}`);
  const mde = raw.mde === undefined || raw.mde === 0 ? 0.01 : raw.mde;
  if (!(mde > 0 && Number.isFinite(mde))) throw bad('spec.canary.mde', `must be > 0, got ${raw.mde}`);
  return {
    ramp: [...ramp],
    minUnitsPerStage: positiveInt('spec.canary.min_units_per_stage', raw.min_units_per_stage, 100),
    minLabelled: positiveInt('spec.canary.min_labelled', raw.min_labelled, 50),
    labelMaturityMs: maturity * 1000,
    threshold: fraction('spec.canary.threshold', raw.threshold, 0.5),
    mde,
    power: fraction('spec.canary.power', raw.power, 0.8),
    baselineStddev: stddev,
  };
}
