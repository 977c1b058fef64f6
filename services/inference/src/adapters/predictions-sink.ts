// Where predictions go: predictions.v1 (Avro, key repo_id, event-id header) and the ClickHouse
// `predictions` table. Both writes are idempotent by the prediction's deterministic event id
// (stream mode "<repo_id>:<entity_id>:<model_name>:<model_version>", served requests the same
// prefixed "served:" and suffixed with a hash of the inputs): Kafka consumers dedupe on the
// header, and the table is a ReplacingMergeTree whose sorting key is that id's parts plus the
// source, so a replayed record collapses into one row under FINAL while a stream-mode and a
// served prediction of the same commit stay two rows.
import { createHash } from 'node:crypto';
import type { ClickHouse } from '@omen/clickhouse';
import { eventColumns } from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import type { Prediction } from '@omen/contracts';
import { recordTrace, type AvroProducer } from '@omen/kafka';

/**
 * The key a feature record's trace is registered under (`withRecordTraces`, from the record's
 * repository and sha) and found by for its prediction (repository and entity id: the sha).
 */
export function predictionTraceKey(repoId: string, entityId: string): string {
  return `${repoId}@${entityId}`;
}

export function predictionEventId(repoId: string, entityId: string, model: string, version: string): string {
  return `${repoId}:${entityId}:${model}:${version}`;
}

/**
 * A served prediction's id. Deduplicated on purpose: the answer is a function of the model
 * version and the row it saw (the prediction cache relies on the same), so the same question
 * asked twice — a CI job retried, two bots on one commit — is one event, and the log counts
 * entities scored rather than calls (request rates are the gRPC metrics' job); drift then sees
 * the population of commits, not how often a hot one was asked about. Different inputs for one
 * entity (inline features changed, the store re-featurized the commit) are different answers
 * and so different events. The "served:" prefix keeps them apart from stream mode's ids, so a
 * consumer deduplicating on event-id never drops one for the other.
 */
export function servedEventId(
  repoId: string,
  entityId: string,
  model: string,
  version: string,
  inputs: string,
): string {
  return `served:${repoId}:${entityId}:${model}:${version}:${inputs}`;
}

/** First 16 hex digits of the SHA-256 of the row's float32 bytes (little-endian on every platform Node ships for). */
export function inputsHash(row: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Applies the schema migrations under this table name. The predictions table
 * (@omen/clickhouse-schema) keeps the scores map as two parallel arrays, contributions as three
 * (18.16 has no Map), and its version column is event_time_ms: a re-scored entity keeps its
 * latest row, one per source. A table from before `source` gets the column and the longer
 * sorting key there.
 */
export async function ensurePredictionsTable(ch: ClickHouse, table: string): Promise<void> {
  await migrate(ch, { names: { predictions: table } });
}

export function predictionRow(p: Prediction): Record<string, unknown> {
  const scoreNames = Object.keys(p.scores).sort();
  const featureNames = p.features ? Object.keys(p.features) : [];
  return {
    ...eventColumns(p),
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
    source: p.source,
  };
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface PredictionSinkOptions {
  producer: AvroProducer | undefined;
  topic: string;
  clickhouse: ClickHouse | undefined;
  table: string;
  /**
   * Records encoded per step: Kafka gets one send per step, the ClickHouse rows are built a step
   * at a time with a turn of the event loop in between, and there is still one insert per write
   * (ClickHouse wants few large inserts). Encoding costs ~20 µs a record for each sink, all on
   * the thread that serves gRPC: a step is the longest stretch a write holds it. @default 100
   */
  step?: number;
}

export class PredictionSink {
  readonly #o: PredictionSinkOptions;

  constructor(options: PredictionSinkOptions) {
    this.#o = options;
  }

  /** Writes to ClickHouse and Kafka; resolves once both acknowledged (either failing rejects; a retry rewrites both, idempotently). */
  async write(predictions: readonly Prediction[]): Promise<void> {
    if (predictions.length === 0) return;
    const { producer, clickhouse } = this.#o;
    const step = this.#o.step ?? 100;
    await Promise.all([
      clickhouse &&
        (async () => {
          const rows: Record<string, unknown>[] = [];
          for (let i = 0; i < predictions.length; i += step) {
            if (i > 0) await yieldTurn();
            for (const p of predictions.slice(i, i + step)) rows.push(predictionRow(p));
          }
          await clickhouse.insert(this.#o.table, rows);
        })(),
      producer &&
        (async () => {
          for (let i = 0; i < predictions.length; i += step) {
            await producer.send(
              this.#o.topic,
              predictions.slice(i, i + step).map((p) => ({
                key: p.repo_id,
                value: p,
                eventId: p.event_id,
                eventTime: p.event_time,
                trace: recordTrace(predictionTraceKey(p.repo_id, p.entity_id)),
              })),
            );
          }
        })(),
    ]);
  }
}
