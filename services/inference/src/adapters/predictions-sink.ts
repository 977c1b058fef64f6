// Where predictions go: predictions.v1 (Avro, key repo_id, event-id header) and the ClickHouse
// `predictions` table. Both writes are idempotent by the prediction's deterministic event id
// ("<repo_id>:<entity_id>:<model_name>:<model_version>"): Kafka consumers dedupe on the header,
// and the table is a ReplacingMergeTree whose sorting key is that id's parts, so a replayed
// record collapses into one row under FINAL.
import type { ClickHouse } from '@omen/clickhouse';
import { formatDateTime, ident, sql } from '@omen/clickhouse';
import type { Prediction } from '@omen/contracts';
import type { AvroProducer } from '@omen/kafka';

export function predictionEventId(repoId: string, entityId: string, model: string, version: string): string {
  return `${repoId}:${entityId}:${model}:${version}`;
}

/**
 * Creates the predictions table when missing. ClickHouse 18.16 has no Map and no DateTime64:
 * the scores map is two parallel arrays, contributions three, and the time is a DateTime (UTC
 * seconds, for humans) plus an Int64 epoch-ms column. The version column is event_time_ms: a
 * re-scored entity keeps its latest row.
 */
export async function ensurePredictionsTable(ch: ClickHouse, table: string): Promise<void> {
  await ch.command(sql`
    CREATE TABLE IF NOT EXISTS ${ident(table)} (
      event_id String,
      event_time DateTime('UTC'),
      event_time_ms Int64,
      repo_id String,
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
      trace_id String
    ) ENGINE = ReplacingMergeTree(event_time_ms)
    ORDER BY (model_name, model_version, repo_id, entity_type, entity_id)`);
}

export function predictionRow(p: Prediction): Record<string, unknown> {
  const scoreNames = Object.keys(p.scores).sort();
  const featureNames = p.features ? Object.keys(p.features) : [];
  return {
    event_id: p.event_id,
    event_time: formatDateTime(new Date(p.event_time)),
    event_time_ms: p.event_time,
    repo_id: p.repo_id,
    entity_type: p.entity_type,
    entity_id: p.entity_id,
    model_name: p.model_name,
    model_version: p.model_version,
    bug_probability: p.bug_probability,
    score_names: scoreNames,
    score_values: scoreNames.map((n) => p.scores[n]),
    contribution_features: p.contributions.map((c) => c.feature),
    contribution_values: p.contributions.map((c) => c.value),
    contribution_scores: p.contributions.map((c) => c.contribution),
    feature_names: featureNames,
    feature_values: featureNames.map((n) => p.features![n]),
    feature_set: p.feature_set ?? '',
    feature_set_version: p.feature_set_version ?? 0,
    experiment_id: p.experiment_id ?? '',
    arm: p.arm ?? '',
    latency_ms: p.latency_ms,
    trace_id: p.trace_id ?? '',
  };
}

export interface PredictionSinkOptions {
  producer: AvroProducer | undefined;
  topic: string;
  clickhouse: ClickHouse | undefined;
  table: string;
}

export class PredictionSink {
  readonly #o: PredictionSinkOptions;

  constructor(options: PredictionSinkOptions) {
    this.#o = options;
  }

  /** Writes to ClickHouse and Kafka; resolves once both acknowledged (either failing rejects). */
  async write(predictions: readonly Prediction[]): Promise<void> {
    if (predictions.length === 0) return;
    const { producer, clickhouse } = this.#o;
    await Promise.all([
      clickhouse?.insert(this.#o.table, predictions.map(predictionRow)),
      producer?.send(
        this.#o.topic,
        predictions.map((p) => ({ key: p.repo_id, value: p, eventId: p.event_id, eventTime: p.event_time })),
      ),
    ]);
  }
}
