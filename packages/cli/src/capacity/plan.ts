import type { AutoscalingRule, CpuRule, LagRule } from '@omen/manifests';
import type { MeasuredCosts } from './costs.ts';
import { dayOfTraffic, simulate, type SimulationResult, type StageSpec, type TrafficOptions } from './simulate.ts';

/**
 * A capacity plan for N commits a day: the smallest partition count (of scm.commits.v1 and
 * features.commits.v1, which bound the featurizer's and inference's replicas) whose simulated
 * day keeps p95 freshness within the objective and ends with no backlog, the replica bounds for
 * the autoscalers, pod-hours, and the engines' sizes from the records' volume.
 */

/** The deployed rules the plan simulates (deploy/base rendered: packages/manifests autoscalingRules). */
export interface DeployedRules {
  readonly ingest: CpuRule;
  readonly featurizer: CpuRule;
  readonly inference: LagRule;
}

/** The rules of ingest, featurizer and inference out of a rendered deployment's rules. */
export function deployedRules(rules: ReadonlyMap<string, AutoscalingRule>): DeployedRules {
  const want = <K extends 'cpu' | 'lag'>(name: string, kind: K): Extract<AutoscalingRule, { kind: K }> => {
    const r = rules.get(name);
    if (r?.kind !== kind)
      throw new Error(
        `deploy/ scales ${name} ${r ? `on ${r.kind}` : 'with no autoscaler'}; the plan expects ${kind === 'cpu' ? 'an HPA on CPU' : 'KEDA on Kafka lag'}`,
      );
    return r as Extract<AutoscalingRule, { kind: K }>;
  };
  return { ingest: want('ingest', 'cpu'), featurizer: want('featurizer', 'cpu'), inference: want('inference', 'lag') };
}

export const PARTITION_STEPS = [6, 12, 24, 48, 96, 192, 384, 768] as const;

/**
 * Bytes per record and per row, assumed (no benchmark measures them yet): Avro commit events
 * with file lists, feature vectors, predictions with their inputs and contributions.
 */
export const RECORD_BYTES = {
  commit: 1500,
  features: 600,
  prediction: 800,
  clickhouseRowCompressed: 120,
  redisFeatureKey: 400,
  redisDedupKey: 100,
} as const;

export interface PlanOptions extends Omit<TrafficOptions, 'commitsPerDay'> {
  /** p95 seconds from commit to prediction. @default 120 */
  readonly freshnessObjectiveS?: number;
}

export interface StagePlan {
  readonly name: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly peakReplicas: number;
  readonly meanReplicas: number;
  readonly podHours: number;
  readonly coreHours: number;
  readonly p95Lag: number;
}

export interface EnginePlan {
  readonly kafkaIngressMBps: { readonly mean: number; readonly peak: number };
  /** On disk, replication factor 3, retention of topics.yaml. */
  readonly kafkaStorageGB: number;
  readonly clickhouseRowsPerDay: number;
  readonly clickhouseStorageGBPer30d: number;
  readonly redisMemoryGB: number;
}

export interface CapacityPlan {
  readonly commitsPerDay: number;
  readonly meanCommitsPerS: number;
  readonly peakCommitsPerS: number;
  readonly partitions: number;
  readonly meetsObjective: boolean;
  readonly freshnessObjectiveS: number;
  readonly p95FreshnessS: number;
  readonly maxFreshnessS: number;
  readonly stages: readonly StagePlan[];
  readonly engines: EnginePlan;
  readonly costs: MeasuredCosts;
  readonly rules: DeployedRules;
  readonly simulation: SimulationResult;
}

/**
 * The stages as deploy/ scales them, with the partition count under test as the consumers' bound
 * (and their maximum replicas: more would idle).
 */
export function stageSpecs(
  costs: MeasuredCosts,
  rules: DeployedRules,
  partitions: number,
  peakCommitsPerS: number,
): StageSpec[] {
  const perPod = {
    ingest: costs.ingest.perCorePerS * rules.ingest.podCores,
    featurizer: costs.featurizer.perCorePerS * rules.featurizer.podCores,
    inference: costs.inference.perCorePerS * rules.inference.podCores,
  };
  const cpu = (r: CpuRule) => ({ kind: 'cpu' as const, targetUtilization: r.targetUtilization });
  const i = rules.inference;
  return [
    // HTTP: not bounded by partitions; the deployed maximum, or the peak at the CPU target doubled.
    {
      name: 'ingest',
      perPodPerS: perPod.ingest,
      minReplicas: rules.ingest.minReplicas,
      maxReplicas: Math.max(
        rules.ingest.maxReplicas,
        Math.ceil((2 * peakCommitsPerS) / (perPod.ingest * rules.ingest.targetUtilization)),
      ),
      scaler: cpu(rules.ingest),
    },
    {
      name: 'featurizer',
      perPodPerS: perPod.featurizer,
      minReplicas: rules.featurizer.minReplicas,
      maxReplicas: partitions,
      partitions,
      scaler: cpu(rules.featurizer),
    },
    {
      name: 'inference',
      perPodPerS: perPod.inference,
      minReplicas: Math.max(1, i.minReplicas),
      maxReplicas: partitions,
      partitions,
      startupS: 60,
      scaler: { kind: 'lag', lagThreshold: i.lagThreshold, activationLag: i.activationLag, cooldownS: i.cooldownS },
    },
  ];
}

function peakPerS(arrivals: Float64Array, stepS: number, windowS: number): number {
  const w = Math.max(1, Math.round(windowS / stepS));
  let sum = 0;
  let best = 0;
  for (let i = 0; i < arrivals.length; i++) {
    sum += arrivals[i]! - (i >= w ? arrivals[i - w]! : 0);
    best = Math.max(best, sum);
  }
  return best / (w * stepS);
}

export function engineSizes(
  commitsPerDay: number,
  peakCommitsPerS: number,
  retentionDays: { commits: number; features: number; predictions: number },
): EnginePlan {
  const b = RECORD_BYTES;
  const perCommit = b.commit + b.features + b.prediction;
  const stored =
    commitsPerDay *
    (b.commit * retentionDays.commits + b.features * retentionDays.features + b.prediction * retentionDays.predictions);
  return {
    kafkaIngressMBps: { mean: (commitsPerDay * perCommit) / 86_400 / 1e6, peak: (peakCommitsPerS * perCommit) / 1e6 },
    kafkaStorageGB: (stored * 3) / 1e9,
    // commits, features, predictions, labels (about one per commit) rows.
    clickhouseRowsPerDay: commitsPerDay * 4,
    clickhouseStorageGBPer30d: (commitsPerDay * 4 * 30 * b.clickhouseRowCompressed) / 1e9,
    // Online features of the last 7 days of commits and the dedup window (7 days) of ingest.
    redisMemoryGB: (commitsPerDay * 7 * (b.redisFeatureKey + b.redisDedupKey)) / 1e9,
  };
}

export function planCapacity(
  commitsPerDay: number,
  costs: MeasuredCosts,
  rules: DeployedRules,
  retentionDays: { commits: number; features: number; predictions: number },
  options: PlanOptions = {},
): CapacityPlan {
  if (!(commitsPerDay > 0)) throw new Error('commits per day must be positive');
  const stepS = options.stepS ?? 5;
  const objective = options.freshnessObjectiveS ?? 120;
  const arrivals = dayOfTraffic({ ...options, commitsPerDay, stepS });
  const peak = peakPerS(arrivals, stepS, 60);
  let chosen: { partitions: number; sim: SimulationResult; ok: boolean } | undefined;
  for (const partitions of PARTITION_STEPS) {
    const sim = simulate(arrivals, stepS, stageSpecs(costs, rules, partitions, peak));
    const drained = sim.stages.every((s) => s.finalBacklog <= commitsPerDay / 1440);
    const ok = drained && sim.p95FreshnessS <= objective;
    chosen = { partitions, sim, ok };
    if (ok) break;
  }
  const { partitions, sim, ok } = chosen!;
  const specs = stageSpecs(costs, rules, partitions, peak);
  return {
    commitsPerDay,
    meanCommitsPerS: commitsPerDay / 86_400,
    peakCommitsPerS: peak,
    partitions,
    meetsObjective: ok,
    freshnessObjectiveS: objective,
    p95FreshnessS: sim.p95FreshnessS,
    maxFreshnessS: sim.maxFreshnessS,
    stages: sim.stages.map((s, i) => ({
      name: s.name,
      minReplicas: specs[i]!.minReplicas,
      maxReplicas: specs[i]!.maxReplicas,
      peakReplicas: s.peakReplicas,
      meanReplicas: s.meanReplicas,
      podHours: s.podHours,
      coreHours: s.podHours * rules[s.name as keyof DeployedRules].podCores,
      p95Lag: s.p95LagItems,
    })),
    engines: engineSizes(commitsPerDay, peak, retentionDays),
    costs,
    rules,
    simulation: sim,
  };
}
