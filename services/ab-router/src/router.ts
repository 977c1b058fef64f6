// The router's state and decisions: a cache of the experiments in Redis (refreshed on NATS
// changes and periodically), sticky routing, outcome bookkeeping, statistics and guardrails.
//
// Outcomes are summed in memory per (experiment, arm, metric) and added to Redis every
// ABROUTER_STATS_FLUSH, so the statistics and the guardrails see every replica's traffic;
// after each flush this replica evaluates the guardrails of the experiments it touched, and
// the Lua transition lets exactly one replica roll an experiment back.
import { randomUUID } from 'node:crypto';
import type { ExperimentEvent } from '@omen/contracts';
import { FailedPreconditionError, NotFoundError, isOmenError, quote } from '@omen/errors';
import type { Counter, Logger } from '@omen/telemetry';
import type { Announcer, ExperimentChanged } from './adapters/nats-announcer.ts';
import type { ExperimentStore } from './adapters/redis-store.ts';
import { assignArm } from './domain/assignment.ts';
import {
  RATE_METRICS,
  currentWeights,
  validateSpec,
  type ArmSpec,
  type RawCanary,
  type ExperimentRecord,
  type ExperimentSpec,
} from './domain/experiment.ts';
import { describeBreach, findBreach, type ArmObservation } from './domain/guardrails.ts';
import { summarize, twoProportion, welch, type Moments, type Summary } from './domain/statistics.ts';

export interface Routed {
  experiment: ExperimentRecord;
  arm: ArmSpec;
}

export interface MetricSummaryView {
  metric: string;
  summary: Summary;
  lift?: number | undefined;
  pValue?: number | undefined;
  ciLow?: number | undefined;
  ciHigh?: number | undefined;
}

export interface ArmStatsView {
  arm: string;
  units: number;
  metrics: MetricSummaryView[];
}

export interface RouterOptions {
  store: ExperimentStore;
  announcer: Announcer | undefined;
  emit: (event: ExperimentEvent) => void;
  logger: Logger;
  assignments: Counter<'experiment' | 'arm'>;
  breaches: Counter<'experiment' | 'arm' | 'metric'>;
  /** Most distinct units remembered per experiment to skip repeated assignment events. */
  seenUnitsMax?: number;
}

export class Router {
  #records = new Map<string, ExperimentRecord>();
  #active = new Map<string, string>();
  #pending = new Map<string, Map<string, Moments>>();
  #pendingUnits = new Map<string, Map<string, Set<string>>>();
  #seen = new Map<string, Set<string>>();
  #flushing: Promise<void> | undefined;

  readonly #o: RouterOptions;

  constructor(o: RouterOptions) {
    this.#o = o;
  }

  /** Re-reads every experiment from Redis; the periodic catch-up and the NATS reaction. */
  async refresh(): Promise<void> {
    const { records, active } = await this.#o.store.all();
    this.#records = new Map(records.map((r) => [r.id, r]));
    this.#active = active;
    for (const id of this.#seen.keys()) if (this.#records.get(id)?.state !== 'RUNNING') this.#seen.delete(id);
  }

  onChange(change: ExperimentChanged): void {
    this.refresh().catch((err: unknown) =>
      this.#o.logger.warn(
        { err, experiment: change.experiment_id },
        'refresh after an experiment change failed; the periodic re-read will catch up',
      ),
    );
  }

  /** Read from Redis, not the cache: GetExperiment answers the same on every replica. */
  async load(id: string): Promise<ExperimentRecord> {
    const r = await this.#o.store.mustGet(id);
    this.#records.set(id, r);
    return r;
  }

  list(filter: { modelName?: string; state?: string }): ExperimentRecord[] {
    return [...this.#records.values()]
      .filter((r) => !filter.modelName || r.spec.modelName === filter.modelName)
      .filter((r) => !filter.state || r.state === filter.state)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  async create(spec: ExperimentSpec): Promise<ExperimentRecord> {
    const record = await this.#o.store.create(spec);
    this.#records.set(record.id, record);
    this.#active.set(spec.modelName, record.id);
    // Each guardrail's breach series exists at 0 from the start: a counter that first appears at
    // its first breach is invisible to increase() (the alert and the experiments dashboard).
    for (const g of spec.guardrails)
      for (const arm of spec.arms) this.#o.breaches.inc({ experiment: record.id, arm: arm.name, metric: g.metric }, 0);
    this.#lifecycle(record, 'created', { config_json: JSON.stringify(spec) });
    await this.#announce(record, 'created');
    return record;
  }

  async stop(id: string, reason: string): Promise<ExperimentRecord> {
    const { record, changed } = await this.#o.store.transition(id, 'STOPPED', reason);
    this.#records.set(id, record);
    if (this.#active.get(record.spec.modelName) === id) this.#active.delete(record.spec.modelName);
    if (changed) {
      this.#lifecycle(record, 'stopped', { reason });
      await this.#announce(record, 'stopped', reason);
    }
    return record;
  }

  /**
   * A canary's decision acted on: RUNNING → PROMOTED or ROLLED_BACK (exactly one caller sees
   * `changed`, and only it writes the event and announces).
   */
  /** A canary's end, stored together with the decision (JSON) that ended it. */
  async conclude(
    id: string,
    to: 'PROMOTED' | 'ROLLED_BACK',
    reason: string,
    decisionJson: string,
  ): Promise<{ record: ExperimentRecord; changed: boolean }> {
    const { record, changed } = await this.#o.store.transition(id, to, reason, Date.now(), decisionJson);
    this.#records.set(id, record);
    if (to === 'PROMOTED' && this.#active.get(record.spec.modelName) === id) this.#active.delete(record.spec.modelName);
    if (changed) {
      this.#lifecycle(record, to === 'PROMOTED' ? 'stopped' : 'rolled_back', { reason });
      await this.#announce(record, to === 'PROMOTED' ? 'promoted' : 'rolled_back', reason);
    }
    return { record, changed };
  }

  /**
   * A trainer announcement: a new challenger version starts a canary against the champion,
   * unless the model already has a running experiment or this version was already tried
   * (announcements repeat: a re-announce must not start a second canary). Returns the new
   * experiment, or undefined when none was started.
   */
  async canaryFor(
    e: { model: string; version: string; alias: string },
    canary: RawCanary,
    unit: 'repo' | 'commit',
  ): Promise<ExperimentRecord | undefined> {
    if (e.alias !== 'challenger') return undefined;
    await this.refresh();
    const tried = [...this.#records.values()].some(
      (r) => r.spec.modelName === e.model && r.spec.arms[1]?.modelVersion === e.version,
    );
    if (tried) return undefined;
    const spec = validateSpec({
      name: `canary ${e.model}/${e.version}`,
      description: `started automatically: ${e.version} became the challenger of ${e.model}`,
      model_name: e.model,
      unit,
      arms: [
        { name: 'control', model_version: 'champion', weight: 1 },
        { name: 'challenger', model_version: e.version, weight: 1 },
      ],
      guardrails: [{ metric: 'error_rate', direction: 'GUARDRAIL_DIRECTION_MAX', threshold: 0.05, min_units: 50 }],
      canary,
    });
    try {
      return await this.create(spec);
    } catch (err) {
      if (isOmenError(err) && err.code === 'ALREADY_EXISTS') return undefined;
      throw err;
    }
  }

  /** A canary's ramp to its next stage (Redis, then the event and the announcement). */
  async rampUp(r: ExperimentRecord, reason: string): Promise<boolean> {
    const from = r.stage ?? 0;
    if (!(await this.#o.store.ramp(r.id, from))) return false;
    const record = await this.load(r.id);
    await this.#announce(record, 'ramped', reason);
    return true;
  }

  /** Every decision's evidence on experiments.events.v1 (type updated, config_json = the decision). */
  recordDecision(r: ExperimentRecord, decisionJson: string, at: number): void {
    this.#o.emit(
      this.#event(
        r,
        'updated',
        `${r.id}:updated:${at}`,
        '*',
        { model_name: r.spec.modelName, config_json: decisionJson },
        at,
      ),
    );
  }

  /**
   * The experiment that decides for this request, or undefined to pass through to the
   * production version. An explicit id must exist (NOT_FOUND) and be for the model asked for;
   * a STOPPED one passes through like no experiment.
   */
  async experimentFor(experimentId: string, modelName: string): Promise<ExperimentRecord | undefined> {
    if (experimentId) {
      const r = this.#records.get(experimentId) ?? (await this.#o.store.get(experimentId));
      if (!r) throw new NotFoundError(`experiment ${quote(experimentId)} does not exist`, `experiment/${experimentId}`);
      if (r.spec.modelName !== modelName)
        throw new FailedPreconditionError(
          `experiment ${experimentId} is for model ${r.spec.modelName}, not ${modelName}`,
        );
      return r.state === 'STOPPED' || r.state === 'PROMOTED' ? undefined : r;
    }
    const id = this.#active.get(modelName);
    const r = id ? this.#records.get(id) : undefined;
    return r && r.state !== 'STOPPED' && r.state !== 'PROMOTED' ? r : undefined;
  }

  /** Sticky arm for the unit; every unit of a rolled-back experiment gets the control. */
  assign(experiment: ExperimentRecord, unitId: string): ArmSpec {
    const control = experiment.spec.arms[0]!;
    const weights = currentWeights(experiment.spec, experiment.stage ?? 0);
    const arm =
      experiment.state === 'RUNNING'
        ? assignArm(
            experiment.id,
            unitId,
            experiment.spec.arms.map((a, i) => ({ ...a, weight: weights[i]! })),
          )
        : control;
    this.#o.assignments.inc({ experiment: experiment.id, arm: arm.name });
    return arm;
  }

  /** An assignment event, once per unit as far as this replica remembers (the id dedupes the rest). */
  recordAssignment(r: Routed, unitId: string, repoId: string): void {
    let seen = this.#seen.get(r.experiment.id);
    if (!seen) this.#seen.set(r.experiment.id, (seen = new Set()));
    if (seen.has(unitId)) return;
    if (seen.size >= (this.#o.seenUnitsMax ?? 100_000)) seen.clear();
    seen.add(unitId);
    this.#o.emit(
      this.#event(r.experiment, 'assignment', `${r.experiment.id}:assignment:${unitId}`, repoId, {
        arm: r.arm.name,
        unit_id: unitId,
        model_name: r.experiment.spec.modelName,
        model_version: r.arm.modelVersion,
      }),
    );
  }

  /** One observed outcome: summed for the statistics, and an outcome event. */
  observe(
    r: Routed,
    unitId: string,
    repoId: string,
    requestKey: string,
    metric: string,
    value: number,
    entityId?: string,
  ): void {
    const key = `${r.arm.name}|${metric}`;
    let byKey = this.#pending.get(r.experiment.id);
    if (!byKey) this.#pending.set(r.experiment.id, (byKey = new Map<string, Moments>()));
    const m = byKey.get(key) ?? { n: 0, sum: 0, sumSq: 0 };
    m.n += 1;
    m.sum += value;
    m.sumSq += value * value;
    byKey.set(key, m);
    let units = this.#pendingUnits.get(r.experiment.id);
    if (!units) this.#pendingUnits.set(r.experiment.id, (units = new Map<string, Set<string>>()));
    const set = units.get(r.arm.name) ?? new Set<string>();
    set.add(unitId);
    units.set(r.arm.name, set);
    this.#o.emit(
      this.#event(r.experiment, 'outcome', `${r.experiment.id}:outcome:${unitId}:${metric}:${requestKey}`, repoId, {
        arm: r.arm.name,
        unit_id: unitId,
        model_name: r.experiment.spec.modelName,
        model_version: r.arm.modelVersion,
        metric,
        value,
        ...(entityId ? { entity_id: entityId } : {}),
      }),
    );
  }

  /** Adds pending outcomes to Redis, then checks the touched experiments' guardrails. */
  flushStats(): Promise<void> {
    this.#flushing ??= this.#doFlush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #doFlush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const moments = this.#pending;
    const units = this.#pendingUnits;
    this.#pending = new Map();
    this.#pendingUnits = new Map();
    try {
      await this.#o.store.addObservations(
        moments,
        new Map([...units].map(([id, byArm]) => [id, new Map([...byArm].map(([arm, s]) => [arm, [...s]]))])),
      );
    } catch (err) {
      // Put them back for the next flush: outcomes wait in memory through a short Redis outage.
      for (const [id, byKey] of moments) for (const [k, m] of byKey) this.#mergePending(id, k, m);
      for (const [id, byArm] of units) for (const [arm, s] of byArm) for (const u of s) this.#mergeUnit(id, arm, u);
      throw err;
    }
    for (const id of moments.keys()) {
      const r = this.#records.get(id);
      if (r && r.state === 'RUNNING' && r.spec.guardrails.length > 0) await this.checkGuardrails(r);
    }
  }

  #mergePending(id: string, key: string, m: Moments): void {
    let byKey = this.#pending.get(id);
    if (!byKey) this.#pending.set(id, (byKey = new Map<string, Moments>()));
    const cur = byKey.get(key) ?? { n: 0, sum: 0, sumSq: 0 };
    byKey.set(key, { n: cur.n + m.n, sum: cur.sum + m.sum, sumSq: cur.sumSq + m.sumSq });
  }

  #mergeUnit(id: string, arm: string, unit: string): void {
    let byArm = this.#pendingUnits.get(id);
    if (!byArm) this.#pendingUnits.set(id, (byArm = new Map<string, Set<string>>()));
    const s = byArm.get(arm) ?? new Set<string>();
    s.add(unit);
    byArm.set(arm, s);
  }

  async checkGuardrails(r: ExperimentRecord): Promise<void> {
    const stats = await this.armStats(r);
    const observations: ArmObservation[] = stats.map((a) => ({
      arm: a.arm,
      units: a.units,
      metrics: new Map(a.metrics.map((m) => [m.metric, m.summary])),
    }));
    const breach = findBreach(r.spec.guardrails, observations);
    if (!breach) return;
    const reason = describeBreach(breach);
    const { record, changed } = await this.#o.store.transition(r.id, 'ROLLED_BACK', reason);
    this.#records.set(r.id, record);
    if (!changed) return;
    this.#o.breaches.inc({ experiment: r.id, arm: breach.arm, metric: breach.guardrail.metric });
    this.#o.logger.warn(
      { experiment: r.id, arm: breach.arm, metric: breach.guardrail.metric, value: breach.value },
      'experiment rolled back: %s',
      reason,
    );
    this.#lifecycle(record, 'rolled_back', { reason });
    await this.#announce(record, 'rolled_back', reason);
  }

  /** Per-arm units and metric summaries, each treatment compared with the control (arms[0]). */
  async armStats(r: ExperimentRecord): Promise<ArmStatsView[]> {
    const stored = await this.#o.store.stats(
      r.id,
      r.spec.arms.map((a) => a.name),
    );
    const control = r.spec.arms[0]!.name;
    const summaryOf = (arm: string, metric: string) =>
      summarize(stored.moments.get(`${arm}|${metric}`) ?? { n: 0, sum: 0, sumSq: 0 });
    return r.spec.arms.map((a) => ({
      arm: a.name,
      units: stored.units.get(a.name) ?? 0,
      metrics: r.spec.metrics.map((metric): MetricSummaryView => {
        const s = summaryOf(a.name, metric);
        if (a.name === control) return { metric, summary: s };
        const c = summaryOf(control, metric);
        const cmp = RATE_METRICS.has(metric)
          ? twoProportion(
              { count: s.count, successes: Math.round(s.mean * s.count) },
              { count: c.count, successes: Math.round(c.mean * c.count) },
              r.spec.alpha,
            )
          : welch(s, c, r.spec.alpha);
        return { metric, summary: s, lift: cmp.lift, pValue: cmp.pValue, ciLow: cmp.ciLow, ciHigh: cmp.ciHigh };
      }),
    }));
  }

  async #announce(r: ExperimentRecord, change: string, reason?: string): Promise<void> {
    if (!this.#o.announcer) return;
    try {
      await this.#o.announcer.announce({
        experiment_id: r.id,
        model_name: r.spec.modelName,
        state: r.state,
        change,
        ...(reason ? { reason } : {}),
        at: new Date().toISOString(),
      });
    } catch (err) {
      // Redis has the change; other replicas pick it up on their periodic re-read.
      this.#o.logger.warn({ err, experiment: r.id }, 'experiment change not announced on NATS');
    }
  }

  #lifecycle(r: ExperimentRecord, type: 'created' | 'stopped' | 'rolled_back', extra: Partial<ExperimentEvent>): void {
    const at = type === 'created' ? r.createdAt : (r.stoppedAt ?? Date.now());
    this.#o.emit(this.#event(r, type, `${r.id}:${type}:${at}`, '*', { model_name: r.spec.modelName, ...extra }, at));
  }

  #event(
    r: ExperimentRecord,
    type: ExperimentEvent['type'],
    eventId: string,
    repoId: string,
    extra: Partial<ExperimentEvent>,
    at = Date.now(),
  ): ExperimentEvent {
    return {
      event_id: eventId,
      event_time: at,
      repo_id: repoId || '*',
      experiment_id: r.id,
      type,
      arm: null,
      unit_id: null,
      model_name: null,
      model_version: null,
      metric: null,
      value: null,
      reason: null,
      config_json: null,
      entity_id: null,
      ...extra,
    };
  }
}

export const newRequestKey = (requestId: string | undefined): string => requestId || randomUUID();
