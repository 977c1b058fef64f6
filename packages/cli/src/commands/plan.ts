import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { autoscalingRules, kustomize } from '@omen/manifests';
import { repoRoot } from '@omen/stack';
import { loadTopicManifest } from '@omen/topics';
import { UsageError, type Command } from '../command.ts';
import { loadMeasuredCosts } from '../capacity/costs.ts';
import { deployedRules, planCapacity, type CapacityPlan } from '../capacity/plan.ts';

const usage = `
usage: ./scripts/omen plan --commits-per-day N [--objective SECONDS] [--seed N] [--json]

  Simulates one day of SCM traffic at N commits/day (diurnal curve peaking at 14:00 UTC, 24
  large pushes, one backfill of 5% of the day in an hour) through ingest → featurizer →
  inference with the autoscaling rules of deploy/base as rendered (HPA on CPU, KEDA on lag,
  pod CPU requests; plus stabilisation windows, pod start-up, partitions bounding consumers), from the per-pod costs measured by the
  benchmarks (services/*/bench/results), and prints the smallest partition count that keeps
  p95 freshness (commit → prediction) within the objective, the replica bounds, pod-hours and
  the engines' sizes.

  --commits-per-day  N, also 10k, 2.5M, 1e7
  --objective        p95 freshness objective in seconds (default 120)
  --seed             seed of the bursts' times (default 15)
  --json             the plan as JSON, with hourly replicas and lag per stage
`;

export function parseCount(raw: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([kKmMgG]?)$/.exec(raw.trim());
  if (!m) throw new UsageError(`--commits-per-day must be a number like 10000, 10k, 2.5M or 1e7; got "${raw}"`);
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.round(Number(m[1]) * scale);
  if (!(n >= 1 && n <= 1e10)) throw new UsageError(`--commits-per-day must be between 1 and 1e10; got ${n}`);
  return n;
}

const days = (ms: number): number => (ms < 0 ? 365 : ms / 86_400_000);

function hourly(series: Float64Array, stepS: number, reduce: 'max' | 'mean'): number[] {
  const per = Math.round(3600 / stepS);
  return Array.from({ length: Math.ceil(series.length / per) }, (_, h) => {
    const slice = series.subarray(h * per, (h + 1) * per);
    const v = reduce === 'max' ? Math.max(...slice) : slice.reduce((a, b) => a + b, 0) / slice.length;
    return Math.round(v * 100) / 100;
  });
}

function asJson(plan: CapacityPlan): unknown {
  const sim = plan.simulation;
  return {
    commitsPerDay: plan.commitsPerDay,
    meanCommitsPerS: plan.meanCommitsPerS,
    peakCommitsPerS: plan.peakCommitsPerS,
    partitions: plan.partitions,
    meetsObjective: plan.meetsObjective,
    freshnessObjectiveS: plan.freshnessObjectiveS,
    p95FreshnessS: plan.p95FreshnessS,
    maxFreshnessS: plan.maxFreshnessS,
    stages: plan.stages,
    engines: plan.engines,
    costs: plan.costs,
    rules: plan.rules,
    hourly: {
      commitsPerS: hourly(sim.arrivals, sim.stepS, 'mean').map((c) => Math.round((c / sim.stepS) * 100) / 100),
      ...Object.fromEntries(
        sim.stages.map((s) => [
          s.name,
          { maxReplicas: hourly(s.replicas, sim.stepS, 'max'), maxLag: hourly(s.lag, sim.stepS, 'max') },
        ]),
      ),
    },
  };
}

function asText(plan: CapacityPlan): string {
  const f = (n: number, d = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: d });
  const lines = [
    `${f(plan.commitsPerDay, 0)} commits/day: mean ${f(plan.meanCommitsPerS)}/s, peak minute ${f(plan.peakCommitsPerS)}/s`,
    `partitions of scm.commits.v1 and features.commits.v1: ${plan.partitions}${plan.meetsObjective ? '' : ` (NOT enough: the largest step tried; p95 freshness over ${plan.freshnessObjectiveS} s or backlog left)`}`,
    `freshness (commit → prediction, queueing): p95 ${f(plan.p95FreshnessS)} s, max ${f(plan.maxFreshnessS)} s (objective p95 ≤ ${plan.freshnessObjectiveS} s)`,
    '',
    'stage        min  max  peak  mean   pod-h  core-h  p95 lag',
    ...plan.stages.map(
      (s) =>
        `${s.name.padEnd(11)} ${String(s.minReplicas).padStart(4)} ${String(s.maxReplicas).padStart(4)} ${String(s.peakReplicas).padStart(5)} ${f(s.meanReplicas).padStart(5)} ${f(s.podHours).padStart(7)} ${f(s.coreHours).padStart(7)} ${f(s.p95Lag, 0).padStart(8)}`,
    ),
    '',
    `Kafka: ${f(plan.engines.kafkaIngressMBps.mean, 2)} MB/s mean, ${f(plan.engines.kafkaIngressMBps.peak, 2)} MB/s peak in; ${f(plan.engines.kafkaStorageGB)} GB on disk (RF 3, retention of topics.yaml)`,
    `ClickHouse: ${f(plan.engines.clickhouseRowsPerDay, 0)} rows/day, ${f(plan.engines.clickhouseStorageGBPer30d)} GB per 30 days compressed`,
    `Redis: ${f(plan.engines.redisMemoryGB, 2)} GB (7 days of online features and ingest dedup keys)`,
    '',
    'per-pod costs (measured, services/*/bench/results):',
    `  ingest      ${plan.costs.ingest.source}`,
    `  featurizer  ${plan.costs.featurizer.source}`,
    `  inference   ${plan.costs.inference.source}`,
    '  inference on GPU: not measured (no GPU machine has run the CUDA benchmark); GBDT graphs run on CPU anyway (ai.onnx.ml has no CUDA kernels)',
    'record sizes and engine footprints are assumptions (packages/cli/src/capacity/plan.ts RECORD_BYTES), not measurements',
  ];
  return `${lines.join('\n')}\n`;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'capacity plan for N commits/day by simulating a day of traffic through the autoscaling rules',
  usage,
  run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          'commits-per-day': { type: 'string' },
          objective: { type: 'string' },
          seed: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values['commits-per-day'] === undefined) throw new UsageError('--commits-per-day is required');
    const commitsPerDay = parseCount(values['commits-per-day']);
    const objective = values.objective === undefined ? undefined : Number(values.objective);
    if (objective !== undefined && !(objective > 0))
      throw new UsageError(`--objective must be a positive number of seconds; got "${values.objective}"`);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed))
      throw new UsageError(`--seed must be an integer; got "${values.seed}"`);
    const root = repoRoot();
    const topics = new Map(loadTopicManifest().topics.map((t) => [t.name, t.retentionMs]));
    const retention = {
      commits: days(topics.get('scm.commits.v1') ?? 0),
      features: days(topics.get('features.commits.v1') ?? 0),
      predictions: days(topics.get('predictions.v1') ?? 0),
    };
    const rules = deployedRules(autoscalingRules(kustomize(join(root, 'deploy', 'base'))));
    const plan = planCapacity(commitsPerDay, loadMeasuredCosts(root), rules, retention, {
      ...(objective ? { freshnessObjectiveS: objective } : {}),
      ...(seed !== undefined ? { seed } : {}),
    });
    process.stdout.write(values.json ? `${JSON.stringify(asJson(plan), null, 2)}\n` : asText(plan));
    return Promise.resolve(0);
  },
};
