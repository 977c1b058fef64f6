// Training rows from the featurizer's offline store (services/featurizer/src/adapters/
// clickhouse-store.ts): `commit_features` (ReplacingMergeTree, one row per repo/set/version/sha
// under FINAL; feature names and values as parallel arrays) and `commit_labels` (one row per
// label, with label_known_at_ms).
//
// Labels are read WITHOUT a cutoff filter on purpose: the point-in-time rule lives in one place,
// the domain's pointInTimeDataset, which also counts what it excluded. Read are the labels of
// every (repo, sha, method) that was ever bug-inducing — its positives and the later labels that
// retract them (the featurizer supersedes a label by a newer one of the same method when a bug
// issue is reclassified) — so the transfer stays near the positives, not the whole table. A
// commit with no such label is a negative.
import { ident, joinSql, sql, type ClickHouse, type SqlFragment } from '@omen/clickhouse';
import type { FeatureRowInput, LabelRowInput } from '../domain/index.ts';

export interface TrainingRowsQuery {
  readonly featureSet: { readonly name: string; readonly version: number };
  readonly cutoffMs: number;
  readonly fromMs?: number;
  /** Empty = every repository. */
  readonly repoIds?: readonly string[];
}

export interface TrainingTables {
  readonly features: string;
  readonly labels: string;
}

interface FeatureRecord {
  repo_id: string;
  sha: string;
  event_time_ms: string | number;
  feature_names: string[];
  feature_values: Array<number | string>;
}

interface LabelRecord {
  repo_id: string;
  sha: string;
  method: string;
  label_known_at_ms: string | number;
  is_bug_inducing: number | string;
}

function repoFilter(repoIds: readonly string[] | undefined): SqlFragment {
  return repoIds && repoIds.length > 0
    ? sql`AND repo_id IN (${joinSql(
        repoIds.map((r) => sql`${r}`),
        ', ',
      )})`
    : sql``;
}

/** Feature rows of the set with event time in [from, cutoff], and every bug-inducing label of those repositories. */
export async function loadTrainingRows(
  ch: ClickHouse,
  tables: TrainingTables,
  q: TrainingRowsQuery,
): Promise<{ features: FeatureRowInput[]; labels: LabelRowInput[] }> {
  const from = q.fromMs === undefined ? sql`` : sql`AND event_time_ms >= ${q.fromMs}`;
  const featureRecords = await ch.query<FeatureRecord>(sql`
    SELECT repo_id, sha, event_time_ms, feature_names, feature_values
    FROM ${ident(tables.features)} FINAL
    WHERE feature_set = ${q.featureSet.name} AND feature_set_version = ${q.featureSet.version}
      AND event_time_ms <= ${q.cutoffMs} ${from} ${repoFilter(q.repoIds)}`);
  const labelRecords = await ch.query<LabelRecord>(sql`
    SELECT repo_id, sha, method, label_known_at_ms, is_bug_inducing
    FROM ${ident(tables.labels)} FINAL
    WHERE (repo_id, sha, method) IN (
      SELECT repo_id, sha, method FROM ${ident(tables.labels)} WHERE is_bug_inducing = 1 ${repoFilter(q.repoIds)})`);
  return {
    features: featureRecords.map((r) => ({
      repoId: r.repo_id,
      sha: r.sha,
      eventTimeMs: Number(r.event_time_ms),
      names: r.feature_names,
      values: r.feature_values.map(Number),
    })),
    labels: labelRecords.map((r) => ({
      repoId: r.repo_id,
      sha: r.sha,
      method: r.method,
      knownAtMs: Number(r.label_known_at_ms),
      isBugInducing: Number(r.is_bug_inducing) === 1,
    })),
  };
}

/** Positive labels that became known in (sinceMs, untilMs]: what the "N new labels" trigger counts. */
export async function countNewLabels(
  ch: ClickHouse,
  table: string,
  sinceMs: number,
  untilMs: number,
  repoIds?: readonly string[],
): Promise<number> {
  const [row] = await ch.query<{ n: string | number }>(sql`
    SELECT count() AS n FROM (
      SELECT repo_id, sha FROM ${ident(table)} FINAL
      WHERE is_bug_inducing = 1 AND label_known_at_ms > ${sinceMs} AND label_known_at_ms <= ${untilMs} ${repoFilter(repoIds)}
      GROUP BY repo_id, sha)`);
  return Number(row?.n ?? 0);
}
