// omen's ClickHouse schema, one migration per owner, in the order they first shipped. A migration
// that has been applied anywhere is never edited (the runner refuses a changed checksum): a
// change is a new migration with the next version.
//
// ClickHouse 18.16 shapes every table: no Map (parallel arrays), no DateTime64 (a DateTime for
// humans plus an Int64 epoch-ms column), no JSON type (JSON strings). Tables are
// ReplacingMergeTree keyed by the row's identity, so at-least-once sinks insert duplicates that
// FINAL or argMax hides; each table's shard key keeps those duplicates on one shard.
import { EVENT_COLUMNS, ident, joinSql, sql } from '@omen/clickhouse';
import type { FeatureSet } from '@omen/features';
import { codeFileMetricsV1, codeMetricsV1, featureNames, jitChangeMetricsV1 } from '@omen/features';
import type { Migration, Step, ViewStep } from './ddl.ts';

/** Rows of one repository on one shard: FINAL/argMax over a repository's keys stay exact. */
const BY_REPO = 'cityHash64(repo_id)';

/** The view with one Nullable column per feature of a set, deduplicated with FINAL. */
export function featureViewName(set: Pick<FeatureSet, 'name' | 'version'>): string {
  return `features_${set.name}_v${set.version}`;
}

function featureView(set: FeatureSet, table: string, extraKeys: readonly string[]): ViewStep {
  const columns = featureNames(set).map(
    (name) =>
      sql`if(has(feature_names, ${name}), feature_values[indexOf(feature_names, ${name})], NULL) AS ${ident(name)}`,
  );
  const keys = joinSql(
    ['repo_id', 'sha', ...extraKeys, 'event_time', 'event_time_ms', 'computed_at', 'computed_at_ms'].map((c) =>
      ident(c),
    ),
    ', ',
  );
  return {
    kind: 'view',
    view: featureViewName(set),
    select: (t) => sql`SELECT ${keys}, ${joinSql(columns, ',\n      ')}
    FROM ${t(table)} FINAL
    WHERE feature_set = ${set.name} AND feature_set_version = ${set.version}`,
  };
}

/** The feature sets that have a view, and the migration that made it (a test checks every set has one). */
export const FEATURE_VIEW_SETS: readonly FeatureSet[] = [jitChangeMetricsV1, codeMetricsV1, codeFileMetricsV1];

const featurizer: Migration = {
  version: 1,
  description:
    'featurizer offline store: features, file metrics, labels, findings, latest labels and per-set feature views',
  steps: [
    {
      kind: 'table',
      table: 'commit_features',
      columns: sql`event_id String,
      repo_id String,
      sha String,
      feature_set String,
      feature_set_version UInt16,
      event_time DateTime('UTC'),
      event_time_ms Int64,
      computed_at DateTime('UTC'),
      computed_at_ms Int64,
      feature_names Array(String),
      feature_values Array(Float64)`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['computed_at_ms'],
      orderBy: 'repo_id, feature_set, feature_set_version, sha',
      shardKey: BY_REPO,
    },
    {
      kind: 'table',
      table: 'commit_file_metrics',
      columns: sql`repo_id String,
      sha String,
      path String,
      feature_set String,
      feature_set_version UInt16,
      event_time DateTime('UTC'),
      event_time_ms Int64,
      computed_at DateTime('UTC'),
      computed_at_ms Int64,
      feature_names Array(String),
      feature_values Array(Float64)`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['computed_at_ms'],
      orderBy: 'repo_id, feature_set, feature_set_version, sha, path',
      shardKey: BY_REPO,
    },
    {
      kind: 'table',
      table: 'commit_labels',
      columns: sql`event_id String,
      repo_id String,
      sha String,
      method String,
      is_bug_inducing UInt8,
      is_fix UInt8,
      fix_shas Array(String),
      issue_numbers Array(Int32),
      confidence Nullable(Float64),
      label_known_at DateTime('UTC'),
      label_known_at_ms Int64`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['label_known_at_ms'],
      orderBy: 'repo_id, sha, method, label_known_at_ms',
      shardKey: BY_REPO,
    },
    {
      kind: 'table',
      table: 'code_findings',
      columns: sql`repo_id String,
      sha String,
      path String,
      line UInt32,
      rule String,
      event_time DateTime('UTC'),
      event_time_ms Int64,
      computed_at DateTime('UTC'),
      computed_at_ms Int64`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['computed_at_ms'],
      orderBy: 'repo_id, sha, path, line, rule',
      shardKey: BY_REPO,
    },
    // commit_labels keeps every label (ORDER BY ends in label_known_at_ms) so a point-in-time
    // read can take the newest one known before its cutoff; this view is that read without a
    // cutoff, so a retraction is what analysts see. argMax over the base table rather than
    // FINAL: duplicates of one label carry the same values. The inner SELECT renames the
    // columns: 18.16 substitutes aliases into every expression, so argMax(is_fix, ...) AS is_fix
    // would aggregate its own result. Over a Distributed table the GROUP BY merges the shards'
    // partial states, and one (repo_id, sha) lives on one shard anyway.
    {
      kind: 'view',
      view: 'commit_labels_latest',
      select: (t) => sql`SELECT repo_id, sha, method,
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
      FROM ${t('commit_labels')}
    )
    GROUP BY repo_id, sha, method`,
    },
    featureView(jitChangeMetricsV1, 'commit_features', []),
    featureView(codeMetricsV1, 'commit_features', []),
    featureView(codeFileMetricsV1, 'commit_file_metrics', ['path']),
  ],
};

const registryMirror: Migration = {
  version: 2,
  description: 'model registry mirror: model versions and alias events',
  steps: [
    {
      kind: 'table',
      table: 'model_versions',
      columns: sql`model String,
      version String,
      sha256 String,
      artifact_uri String,
      size_bytes UInt64,
      feature_set String,
      feature_set_version UInt16,
      feature_names Array(String),
      source String,
      run_id String,
      algorithm String,
      code_version String,
      data_from_ms Int64,
      data_to_ms Int64,
      cutoff_ms Int64,
      train_rows UInt64,
      test_rows UInt64,
      label_rate Nullable(Float64),
      metric_names Array(String),
      metric_values Array(Float64),
      gate_passed Nullable(UInt8),
      params_json String,
      lineage_json String,
      reference_json String,
      created_at DateTime('UTC'),
      created_at_ms Int64`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['created_at_ms'],
      orderBy: 'model, version',
      // No repository here: a model's rows (its sorting key's lead) meet on one shard.
      shardKey: 'cityHash64(model)',
    },
    {
      kind: 'table',
      table: 'model_alias_events',
      columns: sql`event_id String,
      model String,
      alias String,
      version String,
      previous_version String,
      action String,
      reason String,
      actor String,
      at DateTime('UTC'),
      at_ms Int64`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['at_ms'],
      orderBy: 'model, alias, at_ms, event_id',
      shardKey: 'cityHash64(model)',
    },
  ],
};

const audit: Migration = {
  version: 3,
  description: 'audit trail: audited calls of every service',
  steps: [
    {
      kind: 'table',
      table: 'audit_events',
      columns: sql`${EVENT_COLUMNS},
      service String,
      method String,
      subject String,
      auth String,
      issuer Nullable(String),
      roles Array(String),
      outcome String,
      request_id String,
      trace_id Nullable(String),
      peer String,
      model_name Nullable(String),
      model_version Nullable(String),
      inputs_sha256 Nullable(String),
      details_keys Array(String),
      details_values Array(String)`,
      engine: 'ReplacingMergeTree',
      partitionBy: 'toYYYYMM(event_time)',
      orderBy: 'event_time, event_id',
      // Most audited calls name no repository; the event id spreads them and keeps a batch
      // written twice on one shard, where FINAL collapses it.
      shardKey: 'cityHash64(event_id)',
    },
  ],
};

const experiments: Migration = {
  version: 4,
  description: 'ab-router: experiment events, labels and per-arm outcomes',
  steps: [
    {
      kind: 'table',
      table: 'experiment_events',
      columns: sql`${EVENT_COLUMNS},
      experiment_id String,
      type String,
      arm Nullable(String),
      unit_id Nullable(String),
      model_name Nullable(String),
      model_version Nullable(String),
      metric Nullable(String),
      value Nullable(Float64),
      reason Nullable(String),
      config_json Nullable(String),
      entity_id Nullable(String)`,
      engine: 'ReplacingMergeTree',
      orderBy: 'experiment_id, event_id',
      // An event id fixes its repository, so a rewritten event meets its first copy.
      shardKey: BY_REPO,
    },
    // A table created before entity_id existed.
    { kind: 'addColumn', table: 'experiment_events', column: 'entity_id', type: 'Nullable(String)' },
    {
      kind: 'table',
      table: 'experiment_labels',
      columns: sql`${EVENT_COLUMNS},
      sha String,
      is_bug_inducing UInt8,
      method String,
      label_known_at_ms Int64`,
      engine: 'ReplacingMergeTree',
      orderBy: 'repo_id, sha, event_id',
      shardKey: BY_REPO,
    },
    {
      kind: 'table',
      table: 'experiment_outcomes',
      columns: sql`experiment_id String,
      evaluated_at DateTime('UTC'),
      evaluated_at_ms Int64,
      arm String,
      metric String,
      value Nullable(Float64),
      low Nullable(Float64),
      high Nullable(Float64),
      labelled UInt64`,
      engine: 'ReplacingMergeTree',
      orderBy: 'experiment_id, evaluated_at_ms, arm, metric',
      // No repository: an experiment's evaluations meet on one shard.
      shardKey: 'cityHash64(experiment_id)',
    },
  ],
};

export const PREDICTIONS_SORTING_KEY = 'model_name, model_version, repo_id, entity_type, entity_id, source';

const predictions: Migration = {
  version: 5,
  description: 'inference: the predictions log (stream mode and served)',
  steps: [
    {
      kind: 'table',
      table: 'predictions',
      columns: sql`${EVENT_COLUMNS},
      entity_type String,
      entity_id String,
      model_name String,
      model_version String,
      bug_probability Nullable(Float64),
      score_names Array(String),
      score_values Array(Float64),
      contribution_features Array(String),
      contribution_values Array(Float64),
      contribution_scores Array(Float64),
      feature_names Array(String),
      feature_values Array(Float64),
      feature_set String,
      feature_set_version UInt16,
      experiment_id String,
      arm String,
      latency_ms Float64,
      trace_id String,
      source String`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['event_time_ms'],
      orderBy: PREDICTIONS_SORTING_KEY,
      shardKey: BY_REPO,
    },
    // A table from before `source` gets the column and the longer sorting key in one ALTER
    // (18.16 can only extend a sorting key with a column added in the same statement, and not
    // one with a default), so its older rows read source '' — stream mode, the only writer then.
    { kind: 'addColumn', table: 'predictions', column: 'source', type: 'String', orderBy: PREDICTIONS_SORTING_KEY },
  ],
};

/** Columns drift_reports gained after its first release. */
const DRIFT_ADDED_COLUMNS: readonly (readonly [string, string])[] = [
  ['decisive', 'UInt8 DEFAULT 1'],
  ['p_value_adjusted', 'Nullable(Float64)'],
  ['drift_share', 'Nullable(Float64)'],
  ['window_drifted', 'Nullable(UInt8)'],
  ['retraining_run_id', "String DEFAULT ''"],
  ['retraining_status', "String DEFAULT ''"],
  ['retraining_detail', "String DEFAULT ''"],
  ['current_proportions', 'Array(Float64) DEFAULT emptyArrayFloat64()'],
];

const drift: Migration = {
  version: 6,
  description: 'drift-detector: drift reports, window performance, scores and labels',
  steps: [
    {
      kind: 'table',
      table: 'drift_reports',
      columns: sql`${EVENT_COLUMNS},
      model_name String,
      model_version String,
      target String,
      feature String,
      statistic String,
      value Float64,
      p_value Nullable(Float64),
      threshold Float64,
      drifted UInt8,
      window_start DateTime('UTC'),
      window_start_ms Int64,
      window_end DateTime('UTC'),
      window_end_ms Int64,
      sample_size Int64,
      reference_size Nullable(Int64),
      reference_version String,
      decisive UInt8 DEFAULT 1,
      p_value_adjusted Nullable(Float64),
      drift_share Nullable(Float64),
      window_drifted Nullable(UInt8),
      retraining_run_id String DEFAULT '',
      retraining_status String DEFAULT '',
      retraining_detail String DEFAULT '',
      current_proportions Array(Float64) DEFAULT emptyArrayFloat64()`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['event_time_ms'],
      orderBy: 'model_name, window_end_ms, event_id',
      // The event id (last in the key) fixes the repository.
      shardKey: BY_REPO,
    },
    ...DRIFT_ADDED_COLUMNS.map(([column, type]): Step => ({ kind: 'addColumn', table: 'drift_reports', column, type })),
    {
      kind: 'table',
      table: 'drift_performance',
      columns: sql`model_name String,
      model_version String,
      repo_id String,
      window_start DateTime('UTC'),
      window_start_ms Int64,
      window_end DateTime('UTC'),
      window_end_ms Int64,
      predictions Int64,
      expected_auc Nullable(Float64),
      scored Int64,
      labelled Int64,
      positives Int64,
      realised_auc Nullable(Float64),
      computed_at_ms Int64,
      realised_at_ms Nullable(Int64),
      version_ms Int64`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['version_ms'],
      orderBy: 'model_name, window_end_ms, model_version, repo_id',
      shardKey: BY_REPO,
    },
    {
      kind: 'table',
      table: 'drift_scores',
      columns: sql`model_name String,
      model_version String,
      repo_id String,
      sha String,
      event_time_ms Int64,
      score Float64`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['event_time_ms'],
      orderBy: 'model_name, model_version, repo_id, sha',
      shardKey: BY_REPO,
    },
    {
      kind: 'table',
      table: 'drift_labels',
      columns: sql`repo_id String,
      sha String,
      is_bug_inducing UInt8,
      label_known_at_ms Int64`,
      engine: 'ReplacingMergeTree',
      engineArgs: ['label_known_at_ms'],
      orderBy: 'repo_id, sha',
      shardKey: BY_REPO,
    },
  ],
};

/** Every migration, in version order. Append only. */
export const MIGRATIONS: readonly Migration[] = [featurizer, registryMirror, audit, experiments, predictions, drift];
