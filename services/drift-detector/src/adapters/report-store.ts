// Where reports are kept for GetDriftReport / ListDriftReports and analysts: the ClickHouse
// drift_reports table (one row per test, ReplacingMergeTree on the deterministic event id, so a
// re-published window collapses into one row per test under FINAL) when CLICKHOUSE_URL is set,
// else a bounded in-memory list (lost on restart).
import {
  eventColumns,
  formatDateTime,
  ident,
  joinSql,
  raw,
  sql,
  type ClickHouse,
  type SqlFragment,
} from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import type { DriftReport as DriftRecord } from '@omen/contracts';
import { driftRecords, mergeRetraining, reportsFromRecords, type Report, type Target } from '../domain/report.ts';

export interface ReportQuery {
  model: string;
  /** Undefined: every version. */
  version?: string | undefined;
  /** Undefined: every repo ("*" included). */
  repo?: string | undefined;
  /** Only reports with a test of this feature. */
  feature?: string | undefined;
  /** window_start ≥ since (ms). */
  since?: number | undefined;
  /** window_end ≤ until (ms). */
  until?: number | undefined;
  driftedOnly?: boolean | undefined;
  offset: number;
  limit: number;
}

export interface ReportPage {
  reports: Report[];
  /** True when reports beyond offset + limit match. */
  more: boolean;
}

/** The latest window end reported for a model and target (see `ReportStore.reportedThrough`). */
export interface ReportedThrough {
  model: string;
  target: Target;
  windowEnd: number;
}

export interface ReportStore {
  add(reports: readonly Report[]): Promise<void>;
  /**
   * Per model and target, the end of the latest window reported. A window is reported only
   * after the watermark passed its end, so this is a floor of the watermark before a restart.
   */
  reportedThrough(models: readonly string[]): Promise<ReportedThrough[]>;
  /** Newest first: window_end descending, then repo ("*" sorts first), then version. */
  list(q: ReportQuery): Promise<ReportPage>;
}

/** Newest first; within a window the all-repos report before the per-repo ones. */
export function compareReports(a: Report, b: Report): number {
  return b.windowEnd - a.windowEnd || a.repo.localeCompare(b.repo) || b.version.localeCompare(a.version);
}

function mergeReports(a: Report, b: Report): Report {
  const key = (t: Report['tests'][number]) => `${t.target}:${t.feature}:${t.statistic}`;
  const tests = new Map(a.tests.map((t) => [key(t), t]));
  for (const t of b.tests) tests.set(key(t), t);
  const all = [...tests.values()];
  return {
    ...b,
    tests: all,
    drifted: a.drifted || b.drifted,
    driftShare: b.driftShare ?? a.driftShare,
    retraining: mergeRetraining(a.retraining, b.retraining),
    computedAt: Math.max(a.computedAt, b.computedAt),
  };
}

export class MemoryReportStore implements ReportStore {
  readonly #reports = new Map<string, Report>();
  readonly #kept: number;

  constructor(kept: number) {
    this.#kept = kept;
  }

  add(reports: readonly Report[]): Promise<void> {
    for (const r of reports) {
      // Features, predictions and labels of one window arrive as separate reports with one id:
      // merge their tests (a re-published test replaces its earlier copy).
      const prev = this.#reports.get(r.reportId);
      const merged = prev ? mergeReports(prev, r) : r;
      this.#reports.delete(r.reportId);
      this.#reports.set(r.reportId, merged);
    }
    // Map order is insertion order: the oldest-added go first.
    for (const id of this.#reports.keys()) {
      if (this.#reports.size <= this.#kept) break;
      this.#reports.delete(id);
    }
    return Promise.resolve();
  }

  reportedThrough(models: readonly string[]): Promise<ReportedThrough[]> {
    const latest = new Map<string, ReportedThrough>();
    for (const r of this.#reports.values()) {
      if (!models.includes(r.model)) continue;
      for (const t of r.tests) {
        const key = `${r.model}\u0000${t.target}`;
        if ((latest.get(key)?.windowEnd ?? -Infinity) < r.windowEnd)
          latest.set(key, { model: r.model, target: t.target, windowEnd: r.windowEnd });
      }
    }
    return Promise.resolve([...latest.values()]);
  }

  list(q: ReportQuery): Promise<ReportPage> {
    const matching = [...this.#reports.values()]
      .filter(
        (r) =>
          r.model === q.model &&
          (q.version === undefined || r.version === q.version) &&
          (q.repo === undefined || r.repo === q.repo) &&
          (q.feature === undefined || r.tests.some((t) => t.feature === q.feature)) &&
          (q.since === undefined || r.windowStart >= q.since) &&
          (q.until === undefined || r.windowEnd <= q.until) &&
          (!q.driftedOnly || r.drifted),
      )
      .sort(compareReports);
    return Promise.resolve({
      reports: matching.slice(q.offset, q.offset + q.limit),
      more: matching.length > q.offset + q.limit,
    });
  }
}

/**
 * Applies the schema migrations under this table name. The table for analysts and the durable
 * report store is defined in @omen/clickhouse-schema; its sorting key ends with event_id, which
 * determines every column before it, so deduplication is by event id.
 */
export async function ensureDriftTable(ch: ClickHouse, table: string): Promise<void> {
  await migrate(ch, { names: { drift_reports: table } });
}

export function driftRow(r: DriftRecord): Record<string, unknown> {
  return {
    ...eventColumns(r),
    model_name: r.model_name,
    model_version: r.model_version,
    target: r.target,
    feature: r.feature,
    statistic: r.statistic,
    value: r.value,
    p_value: r.p_value,
    threshold: r.threshold,
    drifted: r.drifted ? 1 : 0,
    window_start: formatDateTime(new Date(r.window_start)),
    window_start_ms: r.window_start,
    window_end: formatDateTime(new Date(r.window_end)),
    window_end_ms: r.window_end,
    sample_size: r.sample_size,
    reference_size: r.reference_size,
    reference_version: r.reference_version,
    decisive: r.decisive ? 1 : 0,
    p_value_adjusted: r.p_value_adjusted,
    drift_share: r.drift_share,
    window_drifted: r.window_drifted === null ? null : r.window_drifted ? 1 : 0,
    retraining_run_id: r.retraining_run_id,
    retraining_status: r.retraining_status,
    retraining_detail: r.retraining_detail,
    // Empty for the tests without bins (ClickHouse 18.16 has no Nullable(Array)).
    current_proportions: r.current_proportions ?? [],
  };
}

interface Row {
  event_id: string;
  event_time_ms: string | number;
  repo_id: string;
  model_name: string;
  model_version: string;
  target: string;
  feature: string;
  statistic: string;
  value: number;
  p_value: number | null;
  threshold: number;
  drifted: number;
  window_start_ms: string | number;
  window_end_ms: string | number;
  sample_size: string | number;
  reference_size: string | number | null;
  reference_version: string;
  decisive: number;
  p_value_adjusted: number | null;
  drift_share: number | null;
  window_drifted: number | null;
  retraining_run_id: string;
  retraining_status: string;
  retraining_detail: string;
  current_proportions: number[] | undefined;
}

function recordOf(row: Row): DriftRecord {
  return {
    event_id: row.event_id,
    event_time: Number(row.event_time_ms),
    repo_id: row.repo_id,
    model_name: row.model_name,
    model_version: row.model_version,
    target: row.target as DriftRecord['target'],
    feature: row.feature,
    statistic: row.statistic as DriftRecord['statistic'],
    value: Number(row.value),
    p_value: row.p_value === null ? null : Number(row.p_value),
    threshold: Number(row.threshold),
    drifted: Number(row.drifted) === 1,
    window_start: Number(row.window_start_ms),
    window_end: Number(row.window_end_ms),
    sample_size: Number(row.sample_size),
    reference_size: row.reference_size === null ? null : Number(row.reference_size),
    reference_version: row.reference_version,
    decisive: Number(row.decisive) === 1,
    p_value_adjusted: row.p_value_adjusted === null ? null : Number(row.p_value_adjusted),
    drift_share: row.drift_share === null ? null : Number(row.drift_share),
    window_drifted: row.window_drifted === null ? null : Number(row.window_drifted) === 1,
    retraining_run_id: row.retraining_run_id,
    retraining_status: row.retraining_status,
    retraining_detail: row.retraining_detail,
    current_proportions:
      row.current_proportions && row.current_proportions.length > 0 ? row.current_proportions.map(Number) : null,
  };
}

export class ClickHouseReportStore implements ReportStore {
  readonly #ch: ClickHouse;
  readonly #table: string;

  constructor(ch: ClickHouse, table: string) {
    this.#ch = ch;
    this.#table = table;
  }

  async add(reports: readonly Report[]): Promise<void> {
    const rows = reports.flatMap((r) => driftRecords(r).map(driftRow));
    if (rows.length > 0) await this.#ch.insert(this.#table, rows);
  }

  async reportedThrough(models: readonly string[]): Promise<ReportedThrough[]> {
    if (models.length === 0) return [];
    const rows = await this.#ch.query<{ model_name: string; target: string; end_ms: string | number }>(sql`
      SELECT model_name, target, max(window_end_ms) AS end_ms
      FROM ${ident(this.#table)}
      WHERE has(${[...models]}, model_name)
      GROUP BY model_name, target`);
    return rows.map((r) => ({ model: r.model_name, target: r.target as Target, windowEnd: Number(r.end_ms) }));
  }

  async list(q: ReportQuery): Promise<ReportPage> {
    const where: SqlFragment[] = [sql`model_name = ${q.model}`];
    if (q.version !== undefined) where.push(sql`model_version = ${q.version}`);
    if (q.repo !== undefined) where.push(sql`repo_id = ${q.repo}`);
    if (q.since !== undefined) where.push(sql`window_start_ms >= ${q.since}`);
    if (q.until !== undefined) where.push(sql`window_end_ms <= ${q.until}`);
    const having: SqlFragment[] = [raw('1')];
    if (q.driftedOnly) having.push(raw('max(drifted) = 1'));
    if (q.feature !== undefined) having.push(sql`countIf(feature = ${q.feature}) > 0`);
    const t = ident(this.#table);
    const cond = joinSql(where, ' AND ');
    // Reports are groups of test rows: page over the groups, then fetch their rows.
    const keys = await this.#ch.query<{ k: string }>(sql`
      SELECT concat(model_version, '|', repo_id, '|', toString(window_end_ms)) AS k
      FROM ${t} FINAL
      WHERE ${cond}
      GROUP BY model_version, repo_id, window_end_ms
      HAVING ${joinSql(having, ' AND ')}
      ORDER BY window_end_ms DESC, repo_id ASC, model_version DESC
      LIMIT ${q.offset}, ${q.limit + 1}`);
    const more = keys.length > q.limit;
    const page = keys.slice(0, q.limit).map((k) => k.k);
    if (page.length === 0) return { reports: [], more: false };
    const rows = await this.#ch.query<Row>(sql`
      SELECT * FROM ${t} FINAL
      WHERE ${cond} AND has(${page}, concat(model_version, '|', repo_id, '|', toString(window_end_ms)))
      ORDER BY window_end_ms DESC, event_id`);
    return { reports: reportsFromRecords(rows.map(recordOf)).sort(compareReports), more };
  }
}
