import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMeasuredCosts } from '../../src/capacity/costs.ts';
import { autoscalingRules, kustomize } from '@omen/manifests';
import { deployedRules, planCapacity } from '../../src/capacity/plan.ts';
import { DAY_S, dayOfTraffic, simulate, weightedQuantile, type StageSpec } from '../../src/capacity/simulate.ts';
import { parseCount } from '../../src/commands/plan.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const sum = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0);
const retention = { commits: 30, features: 7, predictions: 7 };

const cpuStage = (name: string, perPodPerS: number, over: Partial<StageSpec> = {}): StageSpec => ({
  name,
  perPodPerS,
  minReplicas: 1,
  maxReplicas: 20,
  scaler: { kind: 'cpu', targetUtilization: 0.7 },
  ...over,
});

/** A flat day with one step of `spike` extra commits at `atS`. */
function flat(perS: number, stepS: number, spike = 0, atS = 0): Float64Array {
  const a = new Float64Array(DAY_S / stepS).fill(perS * stepS);
  a[Math.floor(atS / stepS)]! += spike;
  return a;
}

describe('a day of traffic', () => {
  it("brings exactly the day's commits, never a negative step, the same day for the same seed", () => {
    for (const n of [10_000, 1_234_567, 10_000_000]) {
      const day = dayOfTraffic({ commitsPerDay: n });
      expect(sum(day)).toBeCloseTo(n, 3);
      expect(Math.min(...day)).toBeGreaterThanOrEqual(0);
    }
    expect(dayOfTraffic({ commitsPerDay: 1e6, seed: 3 })).toEqual(dayOfTraffic({ commitsPerDay: 1e6, seed: 3 }));
    expect(dayOfTraffic({ commitsPerDay: 1e6, seed: 3 })).not.toEqual(dayOfTraffic({ commitsPerDay: 1e6, seed: 4 }));
  });

  it('peaks in the afternoon and has bursts above the diurnal curve', () => {
    const stepS = 60;
    const smooth = dayOfTraffic({ commitsPerDay: 1e6, stepS, burstShare: 0, backfillShare: 0 });
    const at = (h: number): number => smooth[(h * 3600) / stepS]!;
    expect(at(14)).toBeGreaterThan(at(2) * 5);
    // The bursts on top of the same curve: 3% of the day in 24 separate minutes.
    const bursty = dayOfTraffic({ commitsPerDay: 1e6, stepS, backfillShare: 0 });
    const extra = Array.from(bursty, (v, i) => v - 0.97 * smooth[i]!);
    expect(sum(extra)).toBeCloseTo(30_000, 3);
    expect(extra.filter((e) => e > 1).map(Math.round)).toEqual(Array.from({ length: 24 }, () => 1250));
  });
});

describe('the autoscaling simulation', () => {
  it('conserves work: what arrives at a stage is processed or still waiting, and feeds the next', () => {
    const stepS = 5;
    const arrivals = dayOfTraffic({ commitsPerDay: 5e6, stepS });
    const sim = simulate(arrivals, stepS, [
      cpuStage('a', 40),
      cpuStage('b', 25, { partitions: 3, maxReplicas: 3 }),
      { ...cpuStage('c', 100), scaler: { kind: 'lag', lagThreshold: 500, activationLag: 50, cooldownS: 300 } },
    ]);
    expect(sim.stages[0]!.arrived).toBeCloseTo(5e6, 3);
    for (const [i, s] of sim.stages.entries()) {
      expect(s.processed + s.finalBacklog).toBeCloseTo(s.arrived, 3);
      if (i > 0) expect(s.arrived).toBeCloseTo(sim.stages[i - 1]!.processed, 3);
    }
  });

  it('never lets more pods work than the topic has partitions', () => {
    const stepS = 5;
    const sim = simulate(flat(100, stepS), stepS, [cpuStage('consumer', 10, { partitions: 4, maxReplicas: 50 })]);
    const s = sim.stages[0]!;
    expect(s.processed).toBeLessThanOrEqual(4 * 10 * DAY_S + 1e-6);
    expect(s.finalBacklog).toBeGreaterThan(0);
  });

  it('scales up on a burst, and down only after the stabilisation window, one pod a minute', () => {
    const stepS = 5;
    const sim = simulate(flat(5, stepS, 20_000, 3600), stepS, [cpuStage('featurizer', 10, { maxReplicas: 10 })]);
    const r = sim.stages[0]!.replicas;
    const before = r[3590 / stepS]!;
    const peakAt = Array.from(r).indexOf(Math.max(...r));
    expect(Math.max(...r)).toBeGreaterThan(before);
    // The backlog is gone within minutes; no pod leaves in the 300 s after the last high recommendation.
    const lagGoneAt = Array.from(sim.stages[0]!.lag).findIndex((l, i) => i > peakAt && l === 0);
    expect(lagGoneAt).toBeGreaterThan(peakAt);
    expect(r[r.length - 1]).toBeLessThan(Math.max(...r));
    for (let i = lagGoneAt; i < lagGoneAt + 240 / stepS; i++) expect(r[i]).toBe(r[lagGoneAt]);
    for (let i = lagGoneAt + 1; i < r.length; i++) expect(r[i - 1]! - r[i]!).toBeLessThanOrEqual(1);
  });

  it('KEDA stays at its minimum while the lag is under the activation threshold', () => {
    const stepS = 5;
    // 10 commits/s against 100/s per pod: lag stays far below activation.
    const sim = simulate(flat(10, stepS), stepS, [
      {
        ...cpuStage('inference', 100, { partitions: 6, maxReplicas: 6 }),
        scaler: { kind: 'lag', lagThreshold: 2000, activationLag: 200, cooldownS: 300 },
      },
    ]);
    expect(Math.max(...sim.stages[0]!.replicas)).toBe(1);
    expect(sim.p95FreshnessS).toBe(0);
  });

  it('is monotone: more traffic never costs fewer pod-hours, more capacity per pod never more lag', () => {
    const stepS = 10;
    const hours = [1e5, 1e6, 5e6, 2e7].map((n) =>
      sum(
        simulate(dayOfTraffic({ commitsPerDay: n, stepS }), stepS, [
          cpuStage('f', 150, { partitions: 12, maxReplicas: 12 }),
        ]).stages.map((s) => s.podHours),
      ),
    );
    for (let i = 1; i < hours.length; i++) expect(hours[i]).toBeGreaterThanOrEqual(hours[i - 1]!);
    expect(hours[3]).toBeGreaterThan(hours[0]!);
    const arrivals = dayOfTraffic({ commitsPerDay: 3e7, stepS });
    const lags = [100, 200, 400].map(
      (perPod) =>
        simulate(arrivals, stepS, [cpuStage('f', perPod, { partitions: 6, maxReplicas: 6 })]).stages[0]!.p95LagItems,
    );
    expect(lags[1]).toBeLessThanOrEqual(lags[0]!);
    expect(lags[2]).toBeLessThanOrEqual(lags[1]!);
    expect(lags[0]).toBeGreaterThan(0);
  });

  it('weights the quantile by commits', () => {
    expect(weightedQuantile([1, 100], [99, 1], 0.95)).toBe(1);
    expect(weightedQuantile([1, 100], [90, 10], 0.95)).toBe(100);
  });
});

describe('the capacity plan', () => {
  const costs = loadMeasuredCosts(root);

  it('reads the measured per-pod costs from the benchmark results', () => {
    for (const c of [costs.ingest, costs.featurizer, costs.inference]) expect(c.perCorePerS).toBeGreaterThan(0);
    expect(costs.featurizer.source).toContain('featurizer-git.json');
    expect(costs.inferenceGpu).toBeUndefined();
  });

  it("sizes featurizer pods by its process's CPU-seconds when the result has them, else by handler time", () => {
    const copy = mkdtempSync(join(tmpdir(), 'omen-costs-'));
    try {
      for (const file of [
        'services/ingest/bench/results/ingest.json',
        'services/featurizer/bench/results/featurizer-git.json',
        'services/inference/bench/results/inference.json',
      ]) {
        mkdirSync(dirname(join(copy, file)), { recursive: true });
        copyFileSync(join(root, file), join(copy, file));
      }
      const gitFile = join(copy, 'services/featurizer/bench/results/featurizer-git.json');
      const git = JSON.parse(readFileSync(gitFile, 'utf8')) as { featurizer: Record<string, number> };
      const write = (featurizer: Record<string, number>) =>
        writeFileSync(gitFile, JSON.stringify({ ...git, featurizer }));
      write({ commits: 1000, handlerSeconds: 4, cpuSeconds: 8 });
      expect(loadMeasuredCosts(copy).featurizer).toMatchObject({ perCorePerS: 125 });
      expect(loadMeasuredCosts(copy).featurizer.source).toContain('8 CPU-seconds of the featurizer process');
      write({ commits: 1000, handlerSeconds: 4 });
      expect(loadMeasuredCosts(copy).featurizer).toMatchObject({ perCorePerS: 250 });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('needs more partitions and pod-hours as traffic grows, and meets its objective', () => {
    const rules = deployedRules(autoscalingRules(kustomize(join(root, 'deploy/base'))));
    const plans = [1e4, 1e7, 1e8].map((n) => planCapacity(n, costs, rules, retention, { stepS: 10 }));
    for (let i = 1; i < plans.length; i++) {
      expect(plans[i]!.partitions).toBeGreaterThanOrEqual(plans[i - 1]!.partitions);
      expect(sum(plans[i]!.stages.map((s) => s.podHours))).toBeGreaterThanOrEqual(
        sum(plans[i - 1]!.stages.map((s) => s.podHours)),
      );
      expect(plans[i]!.engines.kafkaStorageGB).toBeGreaterThan(plans[i - 1]!.engines.kafkaStorageGB);
    }
    expect(plans[2]!.partitions).toBeGreaterThan(plans[0]!.partitions);
    for (const p of plans) {
      expect(p.meetsObjective).toBe(true);
      expect(p.p95FreshnessS).toBeLessThanOrEqual(p.freshnessObjectiveS);
      const featurizer = p.stages.find((s) => s.name === 'featurizer')!;
      expect(featurizer.maxReplicas).toBeLessThanOrEqual(p.partitions);
    }
  });

  it('simulates the rules deploy/base deploys', () => {
    const rules = deployedRules(autoscalingRules(kustomize(join(root, 'deploy/base'))));
    expect(rules.inference).toMatchObject({
      kind: 'lag',
      lagThreshold: 2000,
      activationLag: 200,
      cooldownS: 300,
      topic: 'features.commits.v1',
      podCores: 2,
    });
    expect(rules.featurizer).toMatchObject({ kind: 'cpu', targetUtilization: 0.7, podCores: 1 });
    expect(() => deployedRules(new Map([['ingest', rules.inference]]))).toThrow(
      'deploy/ scales ingest on lag; the plan expects an HPA on CPU',
    );
  });

  it('parses counts with suffixes and refuses nonsense', () => {
    expect(parseCount('10k')).toBe(10_000);
    expect(parseCount('2.5M')).toBe(2_500_000);
    expect(parseCount('1e7')).toBe(10_000_000);
    expect(() => parseCount('ten')).toThrow('--commits-per-day must be a number');
    expect(() => parseCount('0')).toThrow('between 1 and 1e10');
  });
});
