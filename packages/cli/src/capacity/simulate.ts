/**
 * A day of SCM traffic through omen's three scaled stages (ingest → featurizer → inference), in
 * steps of a few seconds, with the autoscaling rules of deploy/ applied as Kubernetes applies
 * them: the HPA on CPU utilization (ingest, featurizer) and KEDA on consumer lag (inference),
 * each with its sync period, stabilization window, scale-down rate, pod start-up delay, and the
 * Kafka rule that a consumer group never has more busy members than its topic has partitions.
 *
 * Deterministic: the bursts' times come from a seeded sequence, so a plan is reproducible.
 */

export interface TrafficOptions {
  readonly commitsPerDay: number;
  /** @default 5 */
  readonly stepS?: number;
  /** Peak-to-mean of the diurnal curve (a cosine peaking at 14:00 UTC). @default 1.8 */
  readonly peakToMean?: number;
  /** Large pushes (monorepo imports, force pushes, mirrors catching up) per day. @default 24 */
  readonly burstsPerDay?: number;
  /** Share of the day's commits that arrive in those bursts, each within one minute. @default 0.03 */
  readonly burstShare?: number;
  /** Share of the day's commits that one backfill (a new repository's history) brings in one hour. @default 0.05 */
  readonly backfillShare?: number;
  /** @default 15 */
  readonly seed?: number;
}

export const DAY_S = 86_400;

/**
 * Burst times: the golden-ratio sequence frac(seed·φ + k·φ), spread over the day without
 * clustering, deterministic for a seed (a plan must be reproducible, not random-looking).
 */
function burstTimes(seed: number): () => number {
  const phi = (Math.sqrt(5) - 1) / 2;
  let x = (seed * phi) % 1;
  return () => {
    x = (x + phi) % 1;
    return x;
  };
}

/** Commits arriving in each step of one day; they sum to commitsPerDay. */
export function dayOfTraffic(options: TrafficOptions): Float64Array {
  const stepS = options.stepS ?? 5;
  const steps = Math.ceil(DAY_S / stepS);
  const n = options.commitsPerDay;
  const amplitude = Math.min(0.99, (options.peakToMean ?? 1.8) - 1);
  const burstShare = options.burstShare ?? 0.03;
  const backfillShare = options.backfillShare ?? 0.05;
  const bursts = options.burstsPerDay ?? 24;
  const rnd = burstTimes(options.seed ?? 15);
  const out = new Float64Array(steps);

  // Organic traffic: a diurnal cosine, normalised so its steps sum to its share exactly.
  const shape = Array.from(
    { length: steps },
    (_, i) => 1 + amplitude * Math.cos((2 * Math.PI * ((i * stepS) / 3600 - 14)) / 24),
  );
  const shapeSum = shape.reduce((a, b) => a + b, 0);
  const organic = n * (1 - burstShare - backfillShare);
  for (let i = 0; i < steps; i++) out[i] = (organic * shape[i]!) / shapeSum;

  const spread = (total: number, startS: number, durationS: number): void => {
    const first = Math.floor(startS / stepS);
    const count = Math.max(1, Math.round(durationS / stepS));
    for (let k = 0; k < count; k++) out[(first + k) % steps]! += total / count;
  };
  for (let b = 0; b < bursts; b++) spread((n * burstShare) / bursts, rnd() * DAY_S, 60);
  if (bursts === 0) spread(n * burstShare, DAY_S / 2, 60);
  spread(n * backfillShare, rnd() * (DAY_S - 3600), 3600);
  return out;
}

export type Scaler =
  | { readonly kind: 'cpu'; readonly targetUtilization: number }
  | { readonly kind: 'lag'; readonly lagThreshold: number; readonly activationLag: number; readonly cooldownS: number };

export interface StageSpec {
  readonly name: string;
  /** Items one ready pod handles per second. */
  readonly perPodPerS: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** A Kafka consumer: at most this many pods have work. Undefined: not bounded (HTTP). */
  readonly partitions?: number;
  readonly scaler: Scaler;
  /** Seconds from scale-up to a ready pod (image pull, model load). @default 30 */
  readonly startupS?: number;
}

export interface StageResult {
  readonly name: string;
  readonly arrived: number;
  readonly processed: number;
  readonly finalBacklog: number;
  readonly peakReplicas: number;
  readonly meanReplicas: number;
  readonly podHours: number;
  readonly p95LagItems: number;
  readonly maxLagItems: number;
  /** Replicas (desired, including starting pods) at each step. */
  readonly replicas: Float64Array;
  readonly lag: Float64Array;
}

export interface SimulationResult {
  readonly stepS: number;
  readonly stages: readonly StageResult[];
  /** Seconds from a commit's arrival to its prediction, queueing only, p95 over commits. */
  readonly p95FreshnessS: number;
  readonly maxFreshnessS: number;
  readonly arrivals: Float64Array;
}

const SYNC_S = 15;
const SCALE_DOWN_WINDOW_S = 300;
const SCALE_DOWN_PODS_PER_MIN = 1;
const HPA_TOLERANCE = 0.1;

/** p-quantile of values, each weighted (weights ≥ 0). */
export function weightedQuantile(values: ArrayLike<number>, weights: ArrayLike<number>, p: number): number {
  const idx = Array.from({ length: values.length }, (_, i) => i)
    .filter((i) => weights[i]! > 0)
    .sort((a, b) => values[a]! - values[b]!);
  const total = idx.reduce((s, i) => s + weights[i]!, 0);
  if (total === 0) return 0;
  let acc = 0;
  for (const i of idx) {
    acc += weights[i]!;
    if (acc >= p * total) return values[i]!;
  }
  return values[idx[idx.length - 1]!]!;
}

class Stage {
  readonly lag: Float64Array;
  readonly replicas: Float64Array;
  backlog = 0;
  processedTotal = 0;
  arrivedTotal = 0;
  /** Ready times of the pods, in seconds; a pod at or after its time is ready. */
  pods: number[];
  #desiredHistory: { t: number; desired: number }[] = [];
  #lastScaleDown = -Infinity;
  #lastActive = 0;
  #busy = 0;
  #capacityOffered = 0;

  constructor(
    readonly spec: StageSpec,
    steps: number,
  ) {
    this.lag = new Float64Array(steps);
    this.replicas = new Float64Array(steps);
    this.pods = Array.from({ length: spec.minReplicas }, () => 0);
  }

  ready(t: number): number {
    return this.pods.filter((r) => r <= t).length;
  }

  /** Work for one step: returns what was processed (the next stage's input). */
  step(i: number, t: number, dt: number, input: number): number {
    const ready = this.ready(t);
    const working = this.spec.partitions === undefined ? ready : Math.min(ready, this.spec.partitions);
    const capacity = working * this.spec.perPodPerS * dt;
    this.backlog += input;
    this.arrivedTotal += input;
    const done = Math.min(this.backlog, capacity);
    this.backlog -= done;
    this.processedTotal += done;
    this.#busy += done;
    this.#capacityOffered += ready * this.spec.perPodPerS * dt;
    this.lag[i] = this.backlog;
    this.replicas[i] = this.pods.length;
    return done;
  }

  /** Rate it drains its backlog at now (items/s). */
  rate(t: number): number {
    const ready = this.ready(t);
    const working = this.spec.partitions === undefined ? ready : Math.min(ready, this.spec.partitions);
    return working * this.spec.perPodPerS;
  }

  /** The autoscaler's sync: compares, stabilises, and changes the pod count. */
  sync(t: number): void {
    const current = this.pods.length;
    const ready = Math.max(1, this.ready(t));
    let desired: number;
    const s = this.spec.scaler;
    if (s.kind === 'cpu') {
      const utilization = this.#capacityOffered > 0 ? this.#busy / this.#capacityOffered : 0;
      // A backlog means the pods were saturated all along: utilization 1.
      const u = this.backlog > 0 ? 1 : utilization;
      const ratio = u / s.targetUtilization;
      desired = Math.abs(ratio - 1) <= HPA_TOLERANCE ? current : Math.ceil(ready * ratio);
    } else {
      if (this.backlog >= s.activationLag) this.#lastActive = t;
      const active = this.backlog >= s.activationLag || t - this.#lastActive < s.cooldownS;
      desired = active ? Math.ceil(this.backlog / s.lagThreshold) : this.spec.minReplicas;
    }
    this.#busy = 0;
    this.#capacityOffered = 0;
    desired = Math.min(this.spec.maxReplicas, Math.max(this.spec.minReplicas, desired));
    this.#desiredHistory.push({ t, desired });
    this.#desiredHistory = this.#desiredHistory.filter((h) => h.t > t - SCALE_DOWN_WINDOW_S);
    if (desired > current) {
      // Kubernetes' default scale-up policy: at most double, or +4 pods, per period.
      const target = Math.min(desired, Math.max(current * 2, current + 4));
      for (let k = current; k < target; k++) this.pods.push(t + (this.spec.startupS ?? 30));
    } else {
      // Scale down to the highest recommendation of the window, one pod a minute.
      const stabilised = Math.max(...this.#desiredHistory.map((h) => h.desired));
      if (stabilised < current && t - this.#lastScaleDown >= 60 / SCALE_DOWN_PODS_PER_MIN) {
        // Starting pods go first (newest last in the list).
        this.pods.sort((a, b) => a - b);
        this.pods.pop();
        this.#lastScaleDown = t;
      }
    }
  }
}

/** Runs the stages in series over the arrivals (commits per step). */
export function simulate(arrivals: Float64Array, stepS: number, specs: readonly StageSpec[]): SimulationResult {
  const stages = specs.map((s) => new Stage(s, arrivals.length));
  const freshness = new Float64Array(arrivals.length);
  const syncEvery = Math.max(1, Math.round(SYNC_S / stepS));
  for (let i = 0; i < arrivals.length; i++) {
    const t = i * stepS;
    let input = arrivals[i]!;
    for (const stage of stages) input = stage.step(i, t, stepS, input);
    // Little's law per stage: what waits ahead of a new commit divided by the rate it drains at.
    freshness[i] = stages.reduce((sum, s) => sum + (s.backlog === 0 ? 0 : s.backlog / Math.max(s.rate(t), 1e-9)), 0);
    if ((i + 1) % syncEvery === 0) for (const stage of stages) stage.sync(t + stepS);
  }
  const ones = new Float64Array(arrivals.length).fill(1);
  return {
    stepS,
    arrivals,
    p95FreshnessS: weightedQuantile(freshness, arrivals, 0.95),
    maxFreshnessS: Math.max(...freshness),
    stages: stages.map((s) => {
      const podSeconds = s.replicas.reduce((a, b) => a + b, 0) * stepS;
      return {
        name: s.spec.name,
        arrived: s.arrivedTotal,
        processed: s.processedTotal,
        finalBacklog: s.backlog,
        peakReplicas: Math.max(...s.replicas),
        meanReplicas: podSeconds / (arrivals.length * stepS),
        podHours: podSeconds / 3600,
        p95LagItems: weightedQuantile(s.lag, ones, 0.95),
        maxLagItems: Math.max(...s.lag),
        replicas: s.replicas,
        lag: s.lag,
      };
    }),
  };
}
