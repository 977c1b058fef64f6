// The offline store: features, labels and findings in ClickHouse for training and analysts.
//
// Every table is a ReplacingMergeTree whose sorting key is the row's identity (the event id's
// parts), so at-least-once delivery may insert a row twice but a query with FINAL (or argMax
// over the version column) sees it once. ClickHouse 18.16 has no Map and no DateTime64: a
// feature map is two parallel arrays, and every time is a DateTime (UTC seconds, for humans)
// plus an Int64 epoch-ms column (for exact point-in-time joins).
// Per feature set, a view (`features_<set>_v<version>`) has one Nullable column per feature, in
// the registry's order, deduplicated with FINAL. See the service README for example queries.

import type { ClickHouse } from '@omen/clickhouse';
import { formatDateTime, ident, joinSql, sql } from '@omen/clickhouse';
import type { FeatureSet } from '@omen/features';
import { codeMetricsV1, featureNames } from '@omen/features';
import type { CommitLabel } from '../domain/labels.ts';
import type { CommitRows, FeatureRow, FindingRow } from '../domain/rows.ts';
import { commitFeatureSets, fileFeatureSet } from '../domain/rows.ts';

export const tables = {
  features: 'commit_features',
  fileMetrics: 'commit_file_metrics',
  labels: 'commit_labels',
  findings: 'code_findings',
  /** View: the newest label per (repo_id, sha, method), retractions included. */
  latestLabels: 'commit_labels_latest',
} as const;

export function featureViewName(set: Pick<FeatureSet, 'name' | 'version'>): string {
  return `features_${set.name}_v${set.version}`;
}

const time = (ms: number): string => formatDateTime(new Date(ms));

/** Creates the tables and views when missing. Idempotent; safe on every start. */
export async function ensureSchema(ch: ClickHouse): Promise<void> {
  await ch.command(sql`
    CREATE TABLE IF NOT EXISTS ${ident(tables.features)} (
      event_id String,
      repo_id String,
      sha String,
      feature_set String,
      feature_set_version UInt16,
      event_time DateTime('UTC'),
      event_time_ms Int64,
      computed_at DateTime('UTC'),
      computed_at_ms Int64,
      feature_names Array(String),
      feature_values Array(Float64)
    ) ENGINE = ReplacingMergeTree(computed_at_ms)
    ORDER BY (repo_id, feature_set, feature_set_version, sha)`);
  await ch.command(sql`
    CREATE TABLE IF NOT EXISTS ${ident(tables.fileMetrics)} (
      repo_id String,
      sha String,
      path String,
      feature_set String,
      feature_set_version UInt16,
      event_time DateTime('UTC'),
      event_time_ms Int64,
      computed_at DateTime('UTC'),
      computed_at_ms Int64,
      feature_names Array(String),
      feature_values Array(Float64)
    ) ENGINE = ReplacingMergeTree(computed_at_ms)
    ORDER BY (repo_id, feature_set, feature_set_version, sha, path)`);
  await ch.command(sql`
    CREATE TABLE IF NOT EXISTS ${ident(tables.labels)} (
      event_id String,
      repo_id String,
      sha String,
      method String,
      is_bug_inducing UInt8,
      is_fix UInt8,
      fix_shas Array(String),
      issue_numbers Array(Int32),
      confidence Nullable(Float64),
      label_known_at DateTime('UTC'),
      label_known_at_ms Int64
    ) ENGINE = ReplacingMergeTree(label_known_at_ms)
    ORDER BY (repo_id, sha, method, label_known_at_ms)`);
  await ch.command(sql`
    CREATE TABLE IF NOT EXISTS ${ident(tables.findings)} (
      repo_id String,
      sha String,
      path String,
      line UInt32,
      rule String,
      event_time DateTime('UTC'),
      event_time_ms Int64,
      computed_at DateTime('UTC'),
      computed_at_ms Int64
    ) ENGINE = ReplacingMergeTree(computed_at_ms)
    ORDER BY (repo_id, sha, path, line, rule)`);
  // commit_labels keeps every label (ORDER BY ends in label_known_at_ms) so a point-in-time read
  // can take the newest one known before its cutoff; this view is that read without a cutoff,
  // so a retraction (is_fix / is_bug_inducing 0 superseding a 1) is what analysts see. argMax
  // over the base table rather than FINAL: duplicates of one label carry the same values.
  // The inner SELECT renames the columns: 18.16 substitutes aliases into every expression, so
  // argMax(is_fix, label_known_at_ms) AS is_fix would aggregate its own result.
  await ch.command(sql`
    CREATE VIEW IF NOT EXISTS ${ident(tables.latestLabels)} AS
    SELECT repo_id, sha, method,
      argMax(l_event_id, l_at) AS event_id,
      argMax(l_bug, l_at) AS is_bug_inducing,
      argMax(l_fix, l_at) AS is_fix,
      argMax(l_fix_shas, l_at) AS fix_shas,
      argMax(l_issues, l_at) AS issue_numbers,
      argMax(l_confidence, l_at) AS confidence,
      max(l_known) AS label_known_at,
      max(l_at) AS label_known_at_ms
    FROM (
      SELECT repo_id, sha, method, event_id AS l_event_id, is_bug_inducing AS l_bug, is_fix AS l_fix, fix_shas AS l_fix_shas,
        issue_numbers AS l_issues, confidence AS l_confidence, label_known_at AS l_known, label_known_at_ms AS l_at
      FROM ${ident(tables.labels)}
    )
    GROUP BY repo_id, sha, method`);
  for (const set of commitFeatureSets) await ensureFeatureView(ch, set, tables.features, []);
  await ensureFeatureView(ch, fileFeatureSet, tables.fileMetrics, ['path']);
}

async function ensureFeatureView(ch: ClickHouse, set: FeatureSet, table: string, extraKeys: readonly string[]): Promise<void> {
  const columns = featureNames(set).map((name) => sql`if(has(feature_names, ${name}), feature_values[indexOf(feature_names, ${name})], NULL) AS ${ident(name)}`);
  const keys = joinSql(
    ['repo_id', 'sha', ...extraKeys, 'event_time', 'event_time_ms', 'computed_at', 'computed_at_ms'].map((c) => ident(c)),
    ', ',
  );
  await ch.command(sql`
    CREATE VIEW IF NOT EXISTS ${ident(featureViewName(set))} AS
    SELECT ${keys}, ${joinSql(columns, ',\n      ')}
    FROM ${ident(table)} FINAL
    WHERE feature_set = ${set.name} AND feature_set_version = ${set.version}`);
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
export async function readOfflineFeatures(ch: ClickHouse, repoId: string, sha: string, set: Pick<FeatureSet, 'name' | 'version'>): Promise<OfflineFeatures | undefined> {
  const [row] = await ch.query<{ feature_names: string[]; feature_values: number[]; computed_at_ms: string | number }>(sql`
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
  const zip = (names: string[], values: number[]): Record<string, number> => Object.fromEntries(names.map((n, i) => [n, Number(values[i])]));
  return {
    values: zip(row.feature_names, row.feature_values),
    fileMetrics: set.name === codeMetricsV1.name ? files.map((f) => ({ path: f.path, values: zip(f.feature_names, f.feature_values) })) : [],
    computedAt: Number(row.computed_at_ms),
  };
}
