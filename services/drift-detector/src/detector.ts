// The detector's core: records in, closed windows evaluated, reports out. Features, predictions
// and labels are windowed separately per model (each by its own event time: a prediction's is
// when it was scored, a feature record's the commit's time, so one shared watermark would close
// the other streams' windows early); their reports for one window share a report id and so read
// as one report. Reports of closed windows wait in `pending` until the publisher succeeded: the
// consumer commits a batch's offsets only after `handle` resolved, and a failed publish is
// retried with the next call, so a closed window is never lost to a sink outage.
import type { CommitFeatures, CommitLabel, Prediction } from '@omen/contracts';
import type { ConsumedRecord } from '@omen/kafka';
import { KeyedSerializer } from '@omen/service';
import type { Logger } from '@omen/telemetry';
import { DEFAULT_POLICY, evaluateWindow, type Policy, type Report, type Thresholds } from './domain/report.ts';
import {
  ModelWindows,
  type AddOutcome,
  type Observation,
  type Reference,
  type WindowOptions,
  type WindowState,
} from './domain/window.ts';
import type { DriftMetrics } from './metrics.ts';

export interface Topics {
  features: string;
  predictions: string;
  labels: string;
}

export interface DetectorOptions {
  models: readonly string[];
  /** The current reference of a model (undefined: none yet, its records are skipped). */
  reference: (model: string) => Reference | undefined;
  topics: Topics;
  windows: WindowOptions;
  thresholds: Thresholds;
  /** Which test decides, dataset drift share, correction. @default DEFAULT_POLICY */
  policy?: Policy | undefined;
  minSamples: number;
  /** Writes reports to every sink; rejects when any failed (they are retried). */
  publish: (reports: Report[]) => Promise<void>;
  logger: Logger;
  metrics?: DriftMetrics | undefined;
  now?: () => number;
}

type Kind = Observation['kind'];

export class Detector {
  readonly #windows = new Map<string, ModelWindows>();
  /** Reports to publish, each with its window's `onReported` callbacks. */
  #pending: Array<{ report: Report; onReported: Array<() => void> }> = [];
  readonly #now: () => number;

  readonly #o: DetectorOptions;

  constructor(o: DetectorOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  /** Wall-clock time each stream of each model last saw a record. */
  readonly #lastSeen = new Map<ModelWindows, number>();
  /** handle() and closeIdle() take turns: both take windows and publish. */
  readonly #turns = new KeyedSerializer<'windows'>();

  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    return this.#turns.run('windows', fn);
  }

  #windowsOf(model: string, kind: Kind): ModelWindows {
    const key = `${model}\u0000${kind}`;
    let w = this.#windows.get(key);
    if (!w) this.#windows.set(key, (w = new ModelWindows(model, this.#o.windows)));
    return w;
  }

  /** What one record contributes, per model it concerns. */
  #observations(record: ConsumedRecord<unknown>): Array<{ model: string; reference: Reference; obs: Observation }> {
    const out: Array<{ model: string; reference: Reference; obs: Observation }> = [];
    const { topics } = this.#o;
    for (const model of this.#o.models) {
      const reference = this.#o.reference(model);
      if (!reference) continue;
      if (record.topic === topics.features) {
        const f = record.value as CommitFeatures;
        if (f.feature_set !== reference.featureSet.name || f.feature_set_version !== reference.featureSet.version)
          continue;
        out.push({
          model,
          reference,
          obs: { kind: 'features', eventId: f.event_id, eventTime: f.event_time, repo: f.repo_id, values: f.values },
        });
      } else if (record.topic === topics.predictions) {
        const p = record.value as Prediction;
        if (p.model_name !== model || p.model_version !== reference.version || p.bug_probability === null) continue;
        // One observation per scored commit: a stream-mode and a served prediction of the same
        // commit (different event ids) would otherwise count the commit twice.
        out.push({
          model,
          reference,
          obs: {
            kind: 'prediction',
            eventId: `${p.entity_type}:${p.entity_id}`,
            eventTime: p.event_time,
            repo: p.repo_id,
            value: p.bug_probability,
          },
        });
      } else if (record.topic === topics.labels) {
        const l = record.value as CommitLabel;
        out.push({
          model,
          reference,
          obs: {
            kind: 'label',
            eventId: l.event_id,
            eventTime: l.event_time,
            repo: l.repo_id,
            positive: l.is_bug_inducing,
          },
        });
      }
    }
    return out;
  }

  /**
   * Counts a batch, evaluates the windows it closed, publishes every pending report. With
   * `defer` (the consumer's `HandlerContext.defer`), each record's ack is called once every
   * window it went into has been reported: open windows live in memory only, so their records
   * must stay uncommitted — a restart then rebuilds them from the redelivered records.
   */
  handle(
    records: readonly ConsumedRecord<unknown>[],
    defer?: (record: ConsumedRecord<unknown>) => () => void,
  ): Promise<Report[]> {
    return this.#serialized(() => this.#handleNow(records, defer));
  }

  /**
   * Evaluates the open windows of every stream that has seen no record for `idleMs` of wall-clock
   * time (so a quiet stream's last window is reported without waiting for the next record), then
   * publishes what is pending.
   */
  closeIdle(idleMs: number): Promise<Report[]> {
    return this.#serialized(() => {
      const wall = this.#now();
      for (const [w, seen] of this.#lastSeen) {
        if (wall - seen < idleMs || w.openWindows() === 0) continue;
        this.#evaluate(w.takeAll(), wall);
      }
      return this.flush();
    });
  }

  #evaluate(closed: ReturnType<ModelWindows['takeClosed']>, computedAt: number): void {
    for (const w of closed) {
      const report = evaluateWindow(
        w,
        this.#o.thresholds,
        this.#o.minSamples,
        computedAt,
        this.#o.policy ?? DEFAULT_POLICY,
      );
      if (report.tests.length > 0) this.#pending.push({ report, onReported: w.onReported });
      else {
        this.#o.logger.debug(
          { model: w.model, repo: w.repo, start: w.start },
          'window closed with too few observations for any test',
        );
        for (const done of w.onReported) done();
      }
    }
  }

  async #handleNow(
    records: readonly ConsumedRecord<unknown>[],
    defer?: (record: ConsumedRecord<unknown>) => () => void,
  ): Promise<Report[]> {
    const wall = this.#now();
    for (const record of records) {
      // The record is done (its offset committable) once every window it went into was
      // reported: one hold per window plus one for this loop, released at its end, so a
      // record that went nowhere (unmatched, late) is done at once.
      const ack = defer?.(record);
      let holds = 1;
      const release = (): void => {
        holds -= 1;
        if (holds === 0) ack?.();
      };
      const into = (w: WindowState): void => {
        holds += 1;
        w.onReported.push(release);
      };
      const obs = this.#observations(record);
      if (obs.length === 0) this.#o.metrics?.records.inc({ topic: record.topic, outcome: 'unmatched' });
      for (const { model, reference, obs: o } of obs) {
        const windows = this.#windowsOf(model, o.kind);
        const outcome: AddOutcome = windows.add(reference, o, ack ? into : undefined);
        this.#lastSeen.set(windows, wall);
        this.#o.metrics?.records.inc({ topic: record.topic, outcome });
      }
      release();
    }
    for (const w of this.#windows.values()) this.#evaluate(w.takeClosed(), wall);
    return this.flush();
  }

  /** Publishes what is pending; on failure keeps it for the next call and rethrows. */
  async flush(): Promise<Report[]> {
    if (this.#pending.length === 0) return [];
    const taken = this.#pending;
    const reports = taken.map((p) => p.report);
    await this.#o.publish(reports);
    this.#pending = this.#pending.filter((p) => !taken.includes(p));
    for (const p of taken) for (const done of p.onReported) done();
    return reports;
  }

  /**
   * Restores, after a restart, what the report store says was already reported. A record is
   * committed only once its windows were reported, but the commit point of a partition is its
   * oldest unreported record: records behind it that went into an already-reported window (an
   * out-of-order event time within the lateness) are replayed too. Without this they would
   * rebuild that window from a fraction of its records and replace its report (same event ids)
   * with a smaller one; with it they are counted as late.
   */
  closedThrough(model: string, target: 'feature' | 'prediction' | 'label', windowEnd: number): void {
    const kind: Kind = target === 'feature' ? 'features' : target;
    this.#windowsOf(model, kind).closedThrough(windowEnd);
  }

  pendingReports(): number {
    return this.#pending.length;
  }
}
