import type { MeasuredCosts } from './costs.ts';
import { dayOfTraffic, simulate, type SimulationResult, type StageSpec, type TrafficOptions } from './simulate.ts';

/**
 * A capacity plan for N commits a day: the smallest partition count (of scm.commits.v1 and
 * features.commits.v1, which bound the featurizer's and inference's replicas) whose simulated
 * day keeps p95 freshness within the objective and ends with no backlog, the replica bounds for
 * the autoscalers, pod-hours, and the engines' sizes from the records' volume.
 */

/** Pod shapes of deploy/ (CPU requests): what a pod's capacity is measured in. */
export const POD_CORES = { ingest: 1, featurizer: 1, inference: 2 } as const;
/** Autoscaling targets of deploy/base/autoscaling.yaml. */
export const AUTOSCALING = { cpuTarget: 0.7, lagThreshold: 2000, activationLag: 200, cooldownS: 300 } as const;
export const PARTITION_STEPS = [6, 12, 24, 48, 96, 192, 384, 768] as const;

/**
 * Bytes per record and per row, assumed (no benchmark measures them yet): Avro commit events
 * with file lists, feature vectors, predictions with their inputs and contributions.
 */
export const RECORD_BYTES = { commit: 1500, features: 600, prediction: 800, clickhouseRowCompressed: 120, redisFeatureKey: 400, redisDedupKey: 100 } as const;

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
  readonly simulation: SimulationResult;
}

/** The stages as deploy/ scales them, for a partition count. */
export function stageSpecs(costs: MeasuredCosts, partitions: number, peakCommitsPerS: number): StageSpec[] {
  const perPod = {
    ingest: costs.ingest.perCorePerS * POD_CORES.ingest,
    featurizer: costs.featurizer.perCorePerS * POD_CORES.featurizer,
    inference: costs.inference.perCorePerS * POD_CORES.inference,
  };
  return [
    // HTTP: not bounded by partitions; enough headroom for the peak at the CPU target, doubled.
    { name: 'ingest', perPodPerS: perPod.ingest, minReplicas: 2, maxReplicas: Math.max(2, Math.ceil((2 * peakCommitsPerS) / (perPod.ingest * AUTOSCALING.cpuTarget))), scaler: { kind: 'cpu', targetUtilization: AUTOSCALING.cpuTarget } },
    { name: 'featurizer', perPodPerS: perPod.featurizer, minReplicas: 2, maxReplicas: partitions, partitions, scaler: { kind: 'cpu', targetUtilization: AUTOSCALING.cpuTarget } },
    { name: 'inference', perPodPerS: perPod.inference, minReplicas: 1, maxReplicas: partitions, partitions, startupS: 60, scaler: { kind: 'lag', lagThreshold: AUTOSCALING.lagThreshold, activationLag: AUTOSCALING.activationLag, cooldownS: AUTOSCALING.cooldownS } },
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

export function engineSizes(commitsPerDay: number, peakCommitsPerS: number, retentionDays: { commits: number; features: number; predictions: number }): EnginePlan {
  const b = RECORD_BYTES;
  const perCommit = b.commit + b.features + b.prediction;
  const stored = commitsPerDay * (b.commit * retentionDays.commits + b.features * retentionDays.features + b.prediction * retentionDays.predictions);
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

export function planCapacity(commitsPerDay: number, costs: MeasuredCosts, retentionDays: { commits: number; features: number; predictions: number }, options: PlanOptions = {}): CapacityPlan {
  if (!(commitsPerDay > 0)) throw new Error('commits per day must be positive');
  const stepS = options.stepS ?? 5;
  const objective = options.freshnessObjectiveS ?? 120;
  const arrivals = dayOfTraffic({ ...options, commitsPerDay, stepS });
  const peak = peakPerS(arrivals, stepS, 60);
  let chosen: { partitions: number; sim: SimulationResult; ok: boolean } | undefined;
  for (const partitions of PARTITION_STEPS) {
    const sim = simulate(arrivals, stepS, stageSpecs(costs, partitions, peak));
    const drained = sim.stages.every((s) => s.finalBacklog <= commitsPerDay / 1440);
    const ok = drained && sim.p95FreshnessS <= objective;
    chosen = { partitions, sim, ok };
    if (ok) break;
  }
  const { partitions, sim, ok } = chosen!;
  const specs = stageSpecs(costs, partitions, peak);
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
      coreHours: s.podHours * POD_CORES[s.name as keyof typeof POD_CORES],
      p95Lag: s.p95LagItems,
    })),
    engines: engineSizes(commitsPerDay, peak, retentionDays),
    costs,
    simulation: sim,
  };
}
