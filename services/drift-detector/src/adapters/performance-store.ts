// Performance per prediction window, in ClickHouse: the CBPE expected ROC AUC when the window
// closes, and the realised ROC AUC once its labels matured. The detector keeps what the join
// needs in two tables of its own, so it depends on no other service's table layout:
//   <scores>  one row per scored commit of a watched model (the latest score of an entity wins);
//   <labels>  one row per labelled commit (the newest label_known_at wins, any method).
// A window's realised AUC is computed once, when window_end + DRIFT_LABEL_MATURITY has passed:
// commits of the window without a bug-inducing label by then count as clean (the maturity
// convention of JIT defect prediction; labels arrive months after the commit).
import { formatDateTime, ident, joinSql, raw, sql, type ClickHouse, type SqlFragment } from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import type { CommitLabel, Prediction } from '@omen/contracts';
import type { ConsumedRecord } from '@omen/kafka';
import { rocAuc } from '../domain/performance.ts';
import type { Report } from '../domain/report.ts';
import { ALL_REPOS } from '../domain/window.ts';

export interface PerformanceTables {
  performance: string;
  scores: string;
  labels: string;
}

export interface WindowPerformance {
  model: string;
  version: string;
  repo: string;
  windowStart: number;
  windowEnd: number;
  /** Predictions in the window (all of them; the expected AUC used the reservoir sample). */
  predictions: number;
  expectedAuc: number | null;
  /** Set once the labels matured (realisedAt not null). */
  scored: number;
  labelled: number;
  positives: number;
  realisedAuc: number | null;
  computedAt: number;
  realisedAt: number | null;
}

/** Applies the schema migrations under these table names (@omen/clickhouse-schema defines them). */
export async function ensurePerformanceTables(ch: ClickHouse, t: PerformanceTables): Promise<void> {
  await migrate(ch, { names: { drift_performance: t.performance, drift_scores: t.scores, drift_labels: t.labels } });
}

interface PerfRow {
  model_name: string;
  model_version: string;
  repo_id: string;
  window_start_ms: string | number;
  window_end_ms: string | number;
  predictions: string | number;
  expected_auc: number | null;
  scored: string | number;
  labelled: string | number;
  positives: string | number;
  realised_auc: number | null;
  computed_at_ms: string | number;
  realised_at_ms: string | number | null;
}

function perfOf(r: PerfRow): WindowPerformance {
  return {
    model: r.model_name,
    version: r.model_version,
    repo: r.repo_id,
    windowStart: Number(r.window_start_ms),
    windowEnd: Number(r.window_end_ms),
    predictions: Number(r.predictions),
    expectedAuc: r.expected_auc === null ? null : Number(r.expected_auc),
    scored: Number(r.scored),
    labelled: Number(r.labelled),
    positives: Number(r.positives),
    realisedAuc: r.realised_auc === null ? null : Number(r.realised_auc),
    computedAt: Number(r.computed_at_ms),
    realisedAt: r.realised_at_ms === null ? null : Number(r.realised_at_ms),
  };
}

function perfRow(p: WindowPerformance): Record<string, unknown> {
  return {
    model_name: p.model,
    model_version: p.version,
    repo_id: p.repo,
    window_start: formatDateTime(new Date(p.windowStart)),
    window_start_ms: p.windowStart,
    window_end: formatDateTime(new Date(p.windowEnd)),
    window_end_ms: p.windowEnd,
    predictions: p.predictions,
    expected_auc: p.expectedAuc,
    scored: p.scored,
    labelled: p.labelled,
    positives: p.positives,
    realised_auc: p.realisedAuc,
    computed_at_ms: p.computedAt,
    realised_at_ms: p.realisedAt,
    // A realised row replaces the expected-only row of its window.
    version_ms: p.realisedAt ?? p.computedAt,
  };
}

export interface PerformanceQuery {
  model: string;
  version?: string | undefined;
  repo?: string | undefined;
  limit: number;
}

export class PerformanceStore {
  readonly #ch: ClickHouse;
  readonly #t: PerformanceTables;
  readonly #models: readonly string[];
  readonly #topics: { predictions: string; labels: string };

  constructor(
    ch: ClickHouse,
    t: PerformanceTables,
    models: readonly string[],
    topics: { predictions: string; labels: string },
  ) {
    this.#ch = ch;
    this.#t = t;
    this.#models = models;
    this.#topics = topics;
  }

  /** Keeps the scores of watched models' commit predictions and every label (idempotent). */
  async record(records: readonly ConsumedRecord<unknown>[]): Promise<void> {
    const scores: Record<string, unknown>[] = [];
    const labels: Record<string, unknown>[] = [];
    for (const r of records) {
      if (r.topic === this.#topics.predictions) {
        const p = r.value as Prediction;
        if (
          !this.#models.includes(p.model_name) ||
          p.entity_type !== 'commit' ||
          p.bug_probability === null ||
          !Number.isFinite(p.bug_probability)
        )
          continue;
        scores.push({
          model_name: p.model_name,
          model_version: p.model_version,
          repo_id: p.repo_id,
          sha: p.entity_id,
          event_time_ms: p.event_time,
          score: p.bug_probability,
        });
      } else if (r.topic === this.#topics.labels) {
        const l = r.value as CommitLabel;
        labels.push({
          repo_id: l.repo_id,
          sha: l.sha,
          is_bug_inducing: l.is_bug_inducing ? 1 : 0,
          label_known_at_ms: l.label_known_at,
        });
      }
    }
    if (scores.length > 0) await this.#ch.insert(this.#t.scores, scores);
    if (labels.length > 0) await this.#ch.insert(this.#t.labels, labels);
  }

  /** The expected AUC of each closed prediction window. */
  async addExpected(reports: readonly Report[]): Promise<void> {
    const rows = reports
      .filter((r) => r.performance)
      .map((r) =>
        perfRow({
          model: r.model,
          version: r.version,
          repo: r.repo,
          windowStart: r.windowStart,
          windowEnd: r.windowEnd,
          predictions: r.performance!.predictions,
          expectedAuc: r.performance!.expectedAuc,
          scored: 0,
          labelled: 0,
          positives: 0,
          realisedAuc: null,
          computedAt: r.computedAt,
          realisedAt: null,
        }),
      );
    if (rows.length > 0) await this.#ch.insert(this.#t.performance, rows);
  }

  /**
   * Computes the realised AUC of every window whose end is at least `maturityMs` before `now`
   * and has none yet; resolves with those it completed.
   */
  async realise(now: number, maturityMs: number): Promise<WindowPerformance[]> {
    const due = (
      await this.#ch.query<PerfRow>(sql`
      SELECT * FROM ${ident(this.#t.performance)} FINAL
      WHERE has(${[...this.#models]}, model_name) AND isNull(realised_at_ms) AND window_end_ms <= ${now - maturityMs}
      ORDER BY window_end_ms
      LIMIT 1000`)
    ).map(perfOf);
    const done: WindowPerformance[] = [];
    for (const w of due) {
      const repo: SqlFragment = w.repo === ALL_REPOS ? raw('1') : sql`repo_id = ${w.repo}`;
      const pairs = await this.#ch.query<{ score: number; y: number; has: number }>(sql`
        SELECT score, y, has FROM (
          SELECT repo_id, sha, score FROM ${ident(this.#t.scores)} FINAL
          WHERE model_name = ${w.model} AND model_version = ${w.version} AND ${repo}
            AND event_time_ms >= ${w.windowStart} AND event_time_ms < ${w.windowEnd}
        ) ANY LEFT JOIN (
          SELECT repo_id, sha, is_bug_inducing AS y, toUInt8(1) AS has FROM ${ident(this.#t.labels)} FINAL
          WHERE label_known_at_ms <= ${now}
        ) USING (repo_id, sha)`);
      const scores = pairs.map((p) => Number(p.score));
      const labels = pairs.map((p) => Number(p.y) === 1);
      const realised: WindowPerformance = {
        ...w,
        scored: pairs.length,
        labelled: pairs.filter((p) => Number(p.has) === 1).length,
        positives: labels.filter(Boolean).length,
        realisedAuc: rocAuc(scores, labels),
        realisedAt: now,
      };
      await this.#ch.insert(this.#t.performance, [perfRow(realised)]);
      done.push(realised);
    }
    return done;
  }

  /** Newest window first. */
  async list(q: PerformanceQuery): Promise<WindowPerformance[]> {
    const where: SqlFragment[] = [sql`model_name = ${q.model}`];
    if (q.version !== undefined) where.push(sql`model_version = ${q.version}`);
    if (q.repo !== undefined) where.push(sql`repo_id = ${q.repo}`);
    const rows = await this.#ch.query<PerfRow>(sql`
      SELECT * FROM ${ident(this.#t.performance)} FINAL
      WHERE ${joinSql(where, ' AND ')}
      ORDER BY window_end_ms DESC, repo_id ASC, model_version DESC
      LIMIT ${q.limit}`);
    return rows.map(perfOf);
  }
}
