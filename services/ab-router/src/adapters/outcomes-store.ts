// Ground truth for experiments in ClickHouse.
//
// - `experiment_labels` (ABROUTER_LABELS_TABLE): labels.commits.v1 as consumed by the router's
//   labels consumer. ReplacingMergeTree ORDER BY (repo_id, sha, event_id): a redelivered batch is
//   one row per label under FINAL, so the sink is idempotent under at-least-once delivery.
// - served predictions per arm are the router's own `outcome` events with metric
//   bug_probability and entity_id (the sha) in the events table.
// - `experiment_outcomes` (ABROUTER_OUTCOMES_TABLE): every evaluation's per-arm metrics with
//   their intervals, keyed by (experiment_id, evaluated_at_ms, arm, metric): rewriting the same
//   evaluation is idempotent.
//
// A served prediction counts once it has matured: served at least `maturityMs` before now (the
// label had time to arrive). Then the commit is bug-inducing (1) when its latest label of any
// method known by now says so, else clean (0): JIT labels mark positives, maturity makes the
// rest negatives.
import type { ClickHouse } from '@omen/clickhouse';
import { eventColumns, formatDateTime, ident, sql } from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import type { CommitLabel } from '@omen/contracts';
import { InvalidArgumentError } from '@omen/errors';
import type { ArmOutcomes, Scored } from '../domain/outcomes.ts';

export interface OutcomeTables {
  events: string;
  labels: string;
  outcomes: string;
}

/** Applies the schema migrations under these table names (@omen/clickhouse-schema defines them). */
export async function ensureOutcomeTables(ch: ClickHouse, t: OutcomeTables): Promise<void> {
  await migrate(ch, {
    names: { experiment_events: t.events, experiment_labels: t.labels, experiment_outcomes: t.outcomes },
  });
}

/** A label's row; INVALID_ARGUMENT (→ the consumer's DLQ) for one that names no commit. */
export function labelRow(l: CommitLabel): Record<string, unknown> {
  if (!l.repo_id || !l.sha) throw new InvalidArgumentError(`label ${l.event_id}: repo_id and sha are required`, 'sha');
  if (!Number.isFinite(l.label_known_at))
    throw new InvalidArgumentError(`label ${l.event_id}: label_known_at is not a time`, 'label_known_at');
  return {
    ...eventColumns(l),
    sha: l.sha,
    is_bug_inducing: l.is_bug_inducing ? 1 : 0,
    method: String(l.method),
    label_known_at_ms: l.label_known_at,
  };
}

export class OutcomeStore {
  readonly #ch: ClickHouse;
  readonly #t: OutcomeTables;

  constructor(ch: ClickHouse, t: OutcomeTables) {
    this.#ch = ch;
    this.#t = t;
  }

  async addLabels(labels: readonly CommitLabel[]): Promise<void> {
    if (labels.length > 0) await this.#ch.insert(this.#t.labels, labels.map(labelRow));
  }

  /** Each arm's matured served predictions joined to their labels. */
  async scored(experimentId: string, nowMs: number, maturityMs: number): Promise<Map<string, Scored[]>> {
    const rows = await this.#ch.query<{ arm: string; p: number; y: number }>(sql`
      SELECT arm, p, y FROM (
        SELECT arm, repo_id, entity_id, argMax(value, event_time_ms) AS p, min(event_time_ms) AS served_ms
        FROM ${ident(this.#t.events)} FINAL
        WHERE experiment_id = ${experimentId} AND type = 'outcome' AND metric = 'bug_probability' AND isNotNull(entity_id) AND isNotNull(value)
        GROUP BY arm, repo_id, entity_id
        HAVING served_ms <= ${nowMs - maturityMs}
      ) ANY LEFT JOIN (
        SELECT repo_id, entity_id, max(b) AS y FROM (
          SELECT repo_id, sha AS entity_id, method, argMax(is_bug_inducing, label_known_at_ms) AS b
          FROM ${ident(this.#t.labels)} FINAL
          WHERE label_known_at_ms <= ${nowMs}
          GROUP BY repo_id, entity_id, method
        ) GROUP BY repo_id, entity_id
      ) USING (repo_id, entity_id)
      ORDER BY arm, repo_id, entity_id`);
    const out = new Map<string, Scored[]>();
    for (const r of rows) {
      const list = out.get(r.arm) ?? [];
      list.push({ p: Number(r.p), y: Number(r.y) === 1 ? 1 : 0 });
      out.set(r.arm, list);
    }
    return out;
  }

  /** Distinct units each arm served since `sinceMs` (the current ramp stage): the SRM's counts. */
  async exposures(experimentId: string, sinceMs: number): Promise<Map<string, number>> {
    const rows = await this.#ch.query<{ arm: string; units: number }>(sql`
      SELECT arm, uniqExact(unit_id) AS units
      FROM ${ident(this.#t.events)} FINAL
      WHERE experiment_id = ${experimentId} AND type = 'outcome' AND metric = 'error_rate' AND event_time_ms >= ${sinceMs}
      GROUP BY arm`);
    return new Map(rows.map((r) => [String(r.arm), Number(r.units)]));
  }

  async writeOutcomes(
    experimentId: string,
    atMs: number,
    arms: readonly { arm: string; outcomes: ArmOutcomes }[],
  ): Promise<void> {
    const rows: Record<string, unknown>[] = [];
    for (const { arm, outcomes: o } of arms) {
      const metrics = {
        auc: o.auc,
        brier: o.brier,
        log_loss: o.logLoss,
        calibration_error: o.ece,
        precision: o.precision,
        recall: o.recall,
        recall_at_20_effort: o.recallAt20Effort,
      };
      for (const [metric, e] of Object.entries(metrics)) {
        rows.push({
          experiment_id: experimentId,
          evaluated_at: formatDateTime(new Date(atMs)),
          evaluated_at_ms: atMs,
          arm,
          metric,
          value: e.value ?? null,
          low: e.low ?? null,
          high: e.high ?? null,
          labelled: o.n,
        });
      }
    }
    if (rows.length > 0) await this.#ch.insert(this.#t.outcomes, rows);
  }
}
