// Automatic runs: a cron schedule, N new positive labels since the last run's cutoff, and drift
// alerts on NATS. Each goes through RunManager.start with its trigger name, which refuses it
// while the model has a run in progress or is in its cooldown; a refused trigger is logged and
// dropped (the next schedule tick, label count or alert tries again).
import { Cron } from 'croner';
import type { ClickHouse } from '@omen/clickhouse';
import { isOmenError } from '@omen/errors';
import type { LocalModelRegistry } from '@omen/model-registry';
import type { Counter, Logger } from '@omen/telemetry';
import { countNewLabels } from './adapters/clickhouse-training-set.ts';
import type { DriftAlertAnswer } from '@omen/model-registry';
import type { ControlPlane } from './adapters/nats-control.ts';
import { CHAMPION } from './models.ts';
import type { RunTrigger } from './run-record.ts';
import type { RunManager, StartRunInput } from './runs.ts';

export interface TriggerOptions {
  defaultModel: string;
  defaultFeatureSet: string;
  defaultAlgorithm: string;
  /** Cron expression (UTC); undefined = no schedule. */
  schedule?: string;
  /** 0 = off. */
  newLabels: number;
  labelPollMs: number;
  drift: boolean;
  driftSubject: string;
}

export interface TriggerDeps {
  runs: RunManager;
  registry: LocalModelRegistry;
  clickhouse: ClickHouse | undefined;
  labelsTable: string;
  control: ControlPlane | undefined;
  logger: Logger;
  options: TriggerOptions;
  fired?: Counter<'trigger' | 'outcome'>;
}

/**
 * The run a trigger starts for `model`: like its champion (feature set, algorithm, requested
 * parameters) when it has one, else the configured defaults.
 */
export async function triggeredRun(
  registry: LocalModelRegistry,
  model: string,
  trigger: RunTrigger,
  reason: string,
  options: TriggerOptions,
): Promise<StartRunInput> {
  const base: StartRunInput = {
    model,
    featureSet: options.defaultFeatureSet,
    algorithm: options.defaultAlgorithm,
    trigger,
    reason,
  };
  const champion = (await registry.aliases(model).catch((): Record<string, string> => ({})))[CHAMPION];
  if (!champion) return base;
  const record = await registry.getVersion(model, champion).catch(() => undefined);
  if (!record || record.lineage?.source !== 'trained') return base;
  const requested = (record.lineage.params as { requested?: Record<string, string> }).requested;
  return {
    ...base,
    featureSet: record.featureSet.name,
    featureSetVersion: record.featureSet.version,
    algorithm: record.lineage.algorithm,
    ...(requested ? { params: requested } : {}),
  };
}

export interface Triggers {
  /** Fires one trigger now (what the schedule, the label poll and drift alerts call). */
  fire(model: string, trigger: RunTrigger, reason: string): Promise<string | undefined>;
  /** Like fire, with the refusal or failure in words (what a drift alert's reply carries). */
  attempt(model: string, trigger: RunTrigger, reason: string): Promise<DriftAlertAnswer>;
  /** One label poll now; resolves with the count it saw. */
  pollLabels(): Promise<number>;
  stop(): void;
}

export function startTriggers(deps: TriggerDeps): Triggers {
  const { runs, logger, options } = deps;
  const stops: Array<() => void> = [];

  const attempt = async (model: string, trigger: RunTrigger, reason: string): Promise<DriftAlertAnswer> => {
    try {
      const run = await runs.start(await triggeredRun(deps.registry, model, trigger, reason, options));
      deps.fired?.inc({ trigger, outcome: 'started' });
      logger.info({ model, trigger, reason, run: run.id }, '%s trigger started run %s for %s', trigger, run.id, model);
      return { status: 'started', runId: run.id };
    } catch (err) {
      const refused = isOmenError(err) && err.code === 'FAILED_PRECONDITION';
      deps.fired?.inc({ trigger, outcome: refused ? 'refused' : 'failed' });
      if (refused) logger.info({ model, trigger, reason: (err as Error).message }, '%s', (err as Error).message);
      else logger.warn({ err, model, trigger }, '%s trigger for %s could not start a run', trigger, model);
      return { status: refused ? 'refused' : 'failed', detail: (err as Error).message };
    }
  };
  const fire = async (model: string, trigger: RunTrigger, reason: string): Promise<string | undefined> => {
    const a = await attempt(model, trigger, reason);
    return a.status === 'started' ? a.runId : undefined;
  };

  if (options.schedule) {
    const job = new Cron(options.schedule, { timezone: 'UTC', protect: true }, () => {
      void fire(options.defaultModel, 'schedule', `schedule ${options.schedule}`);
    });
    logger.info(
      { schedule: options.schedule, next: job.nextRun()?.toISOString() },
      'scheduled runs of %s: %s (UTC)',
      options.defaultModel,
      options.schedule,
    );
    stops.push(() => job.stop());
  }

  const pollLabels = async (): Promise<number> => {
    const ch = deps.clickhouse;
    if (!ch || options.newLabels <= 0) return 0;
    const last = runs.latest(options.defaultModel);
    const since = last ? Date.parse(last.cutoff) : 0;
    const n = await countNewLabels(ch, deps.labelsTable, since, Date.now());
    if (n >= options.newLabels)
      await fire(options.defaultModel, 'labels', `${n} new positive labels since ${new Date(since).toISOString()}`);
    return n;
  };
  if (options.newLabels > 0 && deps.clickhouse) {
    const timer = setInterval(() => {
      pollLabels().catch((err: unknown) => logger.warn({ err }, 'new-label poll failed'));
    }, options.labelPollMs);
    timer.unref();
    stops.push(() => clearInterval(timer));
  }

  if (options.drift && deps.control) {
    stops.push(
      // The answer goes back to a detector that sent the alert as a request: the run it started
      // (the detector stores its id with the drifted report) or why none started.
      deps.control.onDriftAlert(options.driftSubject, (alert) =>
        attempt(alert.model, 'drift', alert.reason ?? `drift alert${alert.version ? ` on ${alert.version}` : ''}`),
      ),
    );
  }

  return {
    fire,
    attempt,
    pollLabels,
    stop() {
      for (const s of stops.splice(0)) s();
    },
  };
}
