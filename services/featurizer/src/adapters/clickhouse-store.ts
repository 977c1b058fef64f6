// The offline store: features, labels and findings in ClickHouse for training and analysts.
//
// Every table is a ReplacingMergeTree whose sorting key is the row's identity (the event id's
// parts), so at-least-once delivery may insert a row twice but a query with FINAL (or argMax
// over the version column) sees it once. ClickHouse 18.16 has no Map and no DateTime64: a
// feature map is two parallel arrays, and every time is a DateTime (UTC seconds, for humans)
// plus an Int64 epoch-ms column (for exact point-in-time joins).
// Per feature set, a view (`features_<set>_v<version>`) has one Nullable column per feature, in
// the registry's order, deduplicated with FINAL. The tables and views are defined once, as
// migrations in @omen/clickhouse-schema. See the service README for example queries.

import type { ClickHouse } from '@omen/clickhouse';
import { formatDateTime, ident, sql } from '@omen/clickhouse';
import { featureViewName, migrate } from '@omen/clickhouse-schema';
import type { FeatureSet } from '@omen/features';
import { codeMetricsV1 } from '@omen/features';
import type { CommitLabel } from '../domain/labels.ts';
import type { CommitRows, FeatureRow, FindingRow } from '../domain/rows.ts';
import { fileFeatureSet } from '../domain/rows.ts';

export const tables = {
  features: 'commit_features',
  fileMetrics: 'commit_file_metrics',
  labels: 'commit_labels',
  findings: 'code_findings',
  /** View: the newest label per (repo_id, sha, method), retractions included. */
  latestLabels: 'commit_labels_latest',
} as const;

export { featureViewName };

const time = (ms: number): string => formatDateTime(new Date(ms));

/**
 * Applies the schema migrations (@omen/clickhouse-schema owns every table and view, this store's
 * included). Idempotent; safe on every start, and from several instances at once.
 */
export async function ensureSchema(ch: ClickHouse): Promise<void> {
  await migrate(ch);
}

function featureRecord(r: FeatureRow): Record<string, unknown> {
  const names = Object.keys(r.values).sort();
  return {
    event_id: r.event_id,
    repo_id: r.repo_id,
    sha: r.sha,
    feature_set: r.feature_set,
    feature_set_version: r.feature_set_version,
    event_time: time(r.event_time),
    event_time_ms: r.event_time,
    computed_at: time(r.computed_at),
    computed_at_ms: r.computed_at,
    feature_names: names,
    feature_values: names.map((n) => r.values[n]),
  };
}

function fileMetricRecords(r: FeatureRow): Record<string, unknown>[] {
  return (r.file_metrics ?? []).map((f) => {
    const names = Object.keys(f.values).sort();
    return {
      repo_id: r.repo_id,
      sha: r.sha,
      path: f.path,
      feature_set: fileFeatureSet.name,
      feature_set_version: fileFeatureSet.version,
      event_time: time(r.event_time),
      event_time_ms: r.event_time,
      computed_at: time(r.computed_at),
      computed_at_ms: r.computed_at,
      feature_names: names,
      feature_values: names.map((n) => f.values[n]),
    };
  });
}

function labelRecord(l: CommitLabel): Record<string, unknown> {
  return {
    event_id: l.event_id,
    repo_id: l.repo_id,
    sha: l.sha,
    method: l.method,
    is_bug_inducing: l.is_bug_inducing ? 1 : 0,
    is_fix: l.is_fix ? 1 : 0,
    fix_shas: l.fix_shas,
    issue_numbers: l.issue_numbers,
    confidence: l.confidence,
    label_known_at: time(l.label_known_at),
    label_known_at_ms: l.label_known_at,
  };
}

function findingRecord(f: FindingRow): Record<string, unknown> {
  return {
    repo_id: f.repo_id,
    sha: f.sha,
    path: f.path,
    line: f.line,
    rule: f.rule,
    event_time: time(f.event_time),
    event_time_ms: f.event_time,
    computed_at: time(f.computed_at),
    computed_at_ms: f.computed_at,
  };
}

/**
 * Inserts a batch's rows, one INSERT per table (ClickHouse wants few, large inserts), the tables
 * in parallel. A failure leaves some tables written: harmless, the retry's duplicates collapse.
 */
export async function writeOffline(ch: ClickHouse, rows: readonly CommitRows[]): Promise<void> {
  const features = rows.flatMap((r) => r.features);
  await Promise.all([
    ch.insert(tables.features, features.map(featureRecord)),
    ch.insert(tables.fileMetrics, features.flatMap(fileMetricRecords)),
    ch.insert(tables.labels, rows.flatMap((r) => r.labels).map(labelRecord)),
    ch.insert(tables.findings, rows.flatMap((r) => r.findings).map(findingRecord)),
  ]);
}

export interface OfflineFeatures {
  values: Record<string, number>;
  fileMetrics: { path: string; values: Record<string, number> }[];
  computedAt: number;
}

/** A commit's features for one set from the offline store (the online store's fallback). */
export async function readOfflineFeatures(
  ch: ClickHouse,
  repoId: string,
  sha: string,
  set: Pick<FeatureSet, 'name' | 'version'>,
): Promise<OfflineFeatures | undefined> {
  const [row] = await ch.query<{
    feature_names: string[];
    feature_values: number[];
    computed_at_ms: string | number;
  }>(sql`
    SELECT feature_names, feature_values, computed_at_ms
    FROM ${ident(tables.features)} FINAL
    WHERE repo_id = ${repoId} AND sha = ${sha} AND feature_set = ${set.name} AND feature_set_version = ${set.version}
    LIMIT 1`);
  if (!row) return undefined;
  const files = await ch.query<{ path: string; feature_names: string[]; feature_values: number[] }>(sql`
    SELECT path, feature_names, feature_values
    FROM ${ident(tables.fileMetrics)} FINAL
    WHERE repo_id = ${repoId} AND sha = ${sha}
    ORDER BY path`);
  const zip = (names: string[], values: number[]): Record<string, number> =>
    Object.fromEntries(names.map((n, i) => [n, Number(values[i])]));
  return {
    values: zip(row.feature_names, row.feature_values),
    fileMetrics:
      set.name === codeMetricsV1.name
        ? files.map((f) => ({ path: f.path, values: zip(f.feature_names, f.feature_values) }))
        : [],
    computedAt: Number(row.computed_at_ms),
  };
}
