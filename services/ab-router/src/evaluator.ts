// The canary loop: every ABROUTER_EVALUATE_INTERVAL one replica (a Redis lock) evaluates each
// RUNNING canary — served predictions joined to matured labels (ClickHouse), exposures per arm
// in the current stage, label-free summaries (Redis) — asks decide() what to do, stores the
// evaluation (Redis for GetExperiment, ClickHouse for analysts) and acts:
//   ramp      → the next stage's weights (Redis Lua, announced on NATS);
//   promote   → the trainer's Promote of the challenger's version (idempotent there), then PROMOTED;
//   rollback  → ROLLED_BACK: traffic back to control, the challenger rejected;
//   blocked   → nothing moves while the sample ratio is off.
// Every decision that changes something (and a newly blocked one) is stored with its evidence:
// on the experiment in Redis, in its decision list, and as an `updated` event on
// experiments.events.v1 / the events table.
import { randomUUID } from 'node:crypto';
import type { trainerV1 } from '@omen/contracts';
import { isRetryable } from '@omen/errors';
import type { TrainerClient } from '@omen/model-registry';
import type { Logger } from '@omen/telemetry';
import type { OutcomeStore } from './adapters/outcomes-store.ts';
import type { ExperimentStore } from './adapters/redis-store.ts';
import { decide, type DecisionOutcome } from './domain/decide.ts';
import type { CanarySpec, ExperimentRecord, ExperimentSpec } from './domain/experiment.ts';
import { armOutcomes, type ArmOutcomes } from './domain/outcomes.ts';
import type { Router } from './router.ts';

export interface EvaluatorOptions {
  router: Router;
  store: ExperimentStore;
  outcomes: OutcomeStore;
  trainer: TrainerClient | undefined;
  logger: Logger;
  /** Default label maturity when a canary does not set its own. */
  maturityMs: number;
  intervalMs: number;
  now?: () => number;
  onDecision?: (action: string) => void;
}

export interface StoredDecision {
  action: string;
  reason: string;
  at: number;
  stage: number;
  evidence: DecisionOutcome['evidence'];
  promote?: { version: string; previous_version: string; changed: boolean } | { error: string };
}

export interface Evaluation {
  at: number;
  stage: number;
  outcomes: Record<string, ArmOutcomes>;
  evidence: DecisionOutcome['evidence'];
  action: string;
  reason: string;
}

type Canary = ExperimentRecord & { spec: ExperimentSpec & { canary: CanarySpec } };
const isCanary = (r: ExperimentRecord): r is Canary => r.state === 'RUNNING' && r.spec.canary !== undefined;

export class Evaluator {
  readonly #owner = randomUUID();
  #running: Promise<void> | undefined;

  readonly #o: EvaluatorOptions;

  constructor(o: EvaluatorOptions) {
    this.#o = o;
  }

  /** One pass over every running canary (skipped while another replica holds the lock). */
  tick(): Promise<void> {
    this.#running ??= this.#pass().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #pass(): Promise<void> {
    if (!(await this.#o.store.lock('evaluator', this.#owner, Math.max(3 * this.#o.intervalMs, 5000)))) return;
    await this.#o.router.refresh();
    for (const r of this.#o.router.list({ state: 'RUNNING' }).filter(isCanary)) {
      try {
        await this.evaluate(r);
      } catch (err) {
        this.#o.logger.warn({ err, experiment: r.id }, 'canary evaluation failed; retried on the next pass');
      }
    }
  }

  /** Evaluates one canary and acts on the decision; returns what was decided. */
  async evaluate(r: Canary): Promise<StoredDecision> {
    const now = (this.#o.now ?? Date.now)();
    const stage = r.stage ?? 0;
    const maturity = r.spec.canary.labelMaturityMs || this.#o.maturityMs;
    const scored = await this.#o.outcomes.scored(r.id, now, maturity);
    const outcomes = new Map(
      r.spec.arms.map((a) => [
        a.name,
        armOutcomes(scored.get(a.name) ?? [], { threshold: r.spec.canary.threshold, alpha: r.spec.alpha }),
      ]),
    );
    const exposures = await this.#o.outcomes.exposures(r.id, r.stageStartedAt ?? r.createdAt);
    const stats = await this.#o.router.armStats(r);
    const summaries = new Map(stats.map((a) => [a.arm, new Map(a.metrics.map((m) => [m.metric, m.summary]))]));
    const d = decide({ spec: r.spec, stage, exposures, outcomes, summaries });
    const evaluation: Evaluation = {
      at: now,
      stage,
      outcomes: Object.fromEntries(outcomes),
      evidence: d.evidence,
      action: d.action,
      reason: d.reason,
    };
    await this.#o.store.saveEvaluation(r.id, JSON.stringify(evaluation));
    await this.#o.outcomes.writeOutcomes(
      r.id,
      now,
      [...outcomes].map(([arm, o]) => ({ arm, outcomes: o })),
    );
    const stored: StoredDecision = { action: d.action, reason: d.reason, at: now, stage, evidence: d.evidence };
    switch (d.action) {
      case 'wait':
        return stored;
      case 'blocked': {
        const last = r.decision ? (JSON.parse(r.decision) as StoredDecision).action : undefined;
        if (last !== 'blocked') await this.#record(r, stored);
        return stored;
      }
      case 'ramp':
        if (await this.#o.router.rampUp(r, d.reason)) await this.#record(r, stored);
        return stored;
      case 'rollback': {
        const challenger = r.spec.arms[1]!;
        const reason = `challenger ${challenger.name} (${challenger.modelVersion}) rejected: ${d.reason}`;
        const out = { ...stored, reason };
        const { changed } = await this.#o.router.conclude(r.id, 'ROLLED_BACK', reason, JSON.stringify(out));
        if (changed) await this.#record(r, out, true);
        return out;
      }
      case 'promote':
        return this.#promote(r, stored);
    }
  }

  async #promote(r: Canary, stored: StoredDecision): Promise<StoredDecision> {
    const challenger = r.spec.arms[1]!;
    if (!this.#o.trainer) {
      this.#o.logger.warn({ experiment: r.id }, 'canary won but no trainer is configured (TRAINER_ADDR): not promoted');
      return { ...stored, action: 'wait', reason: `would promote, but no trainer is configured: ${stored.reason}` };
    }
    try {
      const res = await this.#o.trainer.call<trainerV1.PromoteResponse__Output>('Promote', {
        model_name: r.spec.modelName,
        version: challenger.modelVersion,
        reason: `experiment ${r.id}: ${stored.reason}`,
        alias: 'champion',
      } satisfies trainerV1.PromoteRequest);
      const promote = {
        version: res.promoted?.version ?? challenger.modelVersion,
        previous_version: res.previous_version,
        changed: res.changed,
      };
      const reason = `challenger ${challenger.name} (${promote.version}) promoted over ${promote.previous_version || 'no previous champion'}: ${stored.reason}`;
      const out = { ...stored, reason, promote };
      const { changed } = await this.#o.router.conclude(r.id, 'PROMOTED', reason, JSON.stringify(out));
      if (changed) await this.#record(r, out, true);
      return out;
    } catch (err) {
      // UNAVAILABLE & co.: Promote is idempotent, the next pass tries again.
      if (isRetryable(err)) throw err;
      const reason = `promotion of ${challenger.modelVersion} refused by the trainer: ${(err as Error).message}`;
      await this.#o.router.stop(r.id, reason);
      const out = { ...stored, action: 'promote_refused', reason, promote: { error: (err as Error).message } };
      await this.#record(r, out);
      return out;
    }
  }

  /** Stores a decision (unless the transition it caused already did) and announces it. */
  async #record(r: ExperimentRecord, d: StoredDecision, stored = false): Promise<void> {
    const json = JSON.stringify(d);
    if (!stored) await this.#o.store.saveDecision(r.id, json);
    this.#o.router.recordDecision(r, json, d.at);
    this.#o.onDecision?.(d.action);
    this.#o.logger.info({ experiment: r.id, action: d.action }, 'canary decision: %s', d.reason);
  }
}
