// Stream mode: features.commits.v1 in, predictions.v1 and the ClickHouse predictions table out.
// At-least-once (@omen/kafka commits a record's offset only after the handler returned, i.e.
// after both sinks acknowledged) with idempotent sinks. Every served alias whose model takes the
// record's feature set scores it (champion, and the challenger as a shadow), each under its own
// version and so its own event id. The consumer group's lag is exported as omen_kafka_consumer_lag:
// the signal the GPU pods are scaled on (deploy/base/inference.yaml).
import { performance } from 'node:perf_hooks';
import { traceIdOfTraceparent } from '@omen/audit';
import { InvalidArgumentError, UnavailableError } from '@omen/errors';
import type { CommitFeatures, Prediction, inferenceV1 } from '@omen/contracts';
import {
  withRecordTraces,
  type BatchConsumerOptions,
  type ConsumedRecord,
  type ConsumerRunner,
  type Kafka,
  type OffsetGapPolicy,
} from '@omen/kafka';
import type { Logger } from '@omen/telemetry';
import type { InferenceMetrics } from '../metrics.ts';
import type { BatchPredictor } from '../domain/prediction.ts';
import type { ModelManager } from './model-manager.ts';
import { predictionEventId, predictionTraceKey, type PredictionSink } from './predictions-sink.ts';

export interface StreamOptions {
  kafka: Kafka;
  group: string;
  topic: string;
  models: ModelManager;
  predictor: BatchPredictor;
  sink: PredictionSink;
  logger: Logger;
  metrics?: InferenceMetrics | undefined;
  topK: number;
  logFeatures: boolean;
  lagIntervalMs: number;
  offsetGapPolicy: OffsetGapPolicy;
  /** Where a stopped partition turns health NOT_SERVING and back (`offsetGapHealth`). */
  gapHealth: Pick<BatchConsumerOptions<CommitFeatures>, 'onOffsetGap' | 'onOffsetGapCleared'>;
  /** @default 500 */
  maxBatchSize?: number;
  /** Consumer timing and retry overrides (@omen/kafka's defaults otherwise). */
  consumer?: Partial<
    Pick<
      BatchConsumerOptions<CommitFeatures>,
      'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'heartbeatIntervalMs' | 'maxWaitTimeMs' | 'retries'
    >
  >;
}

/** The W3C trace id of the record's `traceparent` header, so one trace follows the commit. */
function traceIdOf(record: ConsumedRecord<unknown>): string | null {
  return traceIdOfTraceparent(record.headers['traceparent']) ?? null;
}

/** The predictions for a batch of feature records (pure apart from the predictor). */
export async function scoreRecords(
  records: readonly ConsumedRecord<CommitFeatures>[],
  options: Pick<StreamOptions, 'models' | 'predictor' | 'topK' | 'logFeatures' | 'metrics'>,
): Promise<Prediction[]> {
  const received = performance.now();
  const requests: inferenceV1.PredictRequest__Output[] = [];
  const origin: ConsumedRecord<CommitFeatures>[] = [];
  for (const record of records) {
    const f = record.value;
    const targets = options.models
      .served()
      .filter(
        (s) =>
          s.served.model.featureSet.name === f.feature_set &&
          s.served.model.featureSet.version === f.feature_set_version,
      );
    if (targets.length === 0) {
      options.metrics?.streamPredictions.inc({ outcome: 'skipped' });
      continue;
    }
    for (const t of targets) {
      requests.push({
        model_name: t.model,
        model_version: t.served.version,
        input: 'features',
        features: {
          values: f.values,
          feature_set: f.feature_set,
          feature_set_version: f.feature_set_version,
          repo_id: f.repo_id,
          entity_id: f.sha,
        },
        top_k: options.topK,
        request_id: f.event_id,
      });
      origin.push(record);
    }
  }
  if (requests.length === 0) return [];
  const outcomes = await options.predictor.predictMany(
    requests,
    {},
    (i) => `record ${origin[i]!.topic}/${origin[i]!.partition}@${origin[i]!.offset} `,
  );
  const predictions: Prediction[] = [];
  outcomes.forEach((o, i) => {
    const record = origin[i]!;
    if (!o.ok) {
      // Bad features will not get better on a retry: the consumer dead-letters the record.
      if (o.error.code === 'INVALID_ARGUMENT')
        throw new InvalidArgumentError(o.error.message, (o.error as InvalidArgumentError).field);
      // The version chosen above was swapped out meanwhile: a retry picks the new one.
      if (o.error.code === 'NOT_FOUND')
        throw new UnavailableError(`model changed while scoring: ${o.error.message}`, { cause: o.error });
      throw o.error;
    }
    const r = o.response;
    const f = record.value;
    predictions.push({
      event_id: predictionEventId(f.repo_id, f.sha, r.model_name!, r.model_version!),
      event_time: Date.now(),
      repo_id: f.repo_id,
      entity_type: 'commit',
      entity_id: f.sha,
      model_name: r.model_name!,
      model_version: r.model_version!,
      bug_probability: Number(r.bug_probability),
      scores: Object.fromEntries(Object.entries(r.scores ?? {}).map(([k, v]) => [k, Number(v)])),
      contributions: (r.top_contributions ?? []).map((c) => ({
        feature: c.feature!,
        value: Number(c.value),
        contribution: Number(c.contribution),
      })),
      features: options.logFeatures ? { ...f.values } : null,
      feature_set: f.feature_set,
      feature_set_version: f.feature_set_version,
      experiment_id: null,
      arm: null,
      latency_ms: performance.now() - received,
      trace_id: traceIdOf(record),
      source: 'stream',
    });
  });
  return predictions;
}

export async function startStream(options: StreamOptions): Promise<ConsumerRunner> {
  const { logger, metrics } = options;
  return options.kafka.runConsumer<CommitFeatures>({
    ...options.consumer,
    group: options.group,
    topics: [options.topic],
    lagIntervalMs: options.lagIntervalMs,
    offsetGapPolicy: options.offsetGapPolicy,
    ...options.gapHealth,
    maxBatchSize: options.maxBatchSize ?? 500,
    batchHandler: async (records) => {
      const predictions = await scoreRecords(records, options);
      // Each prediction goes on in its feature record's trace (predictions-sink).
      await withRecordTraces(
        records,
        (r) => predictionTraceKey(r.value.repo_id, r.value.sha),
        () => options.sink.write(predictions),
      );
      metrics?.streamPredictions.inc({ outcome: 'written' }, predictions.length);
      logger.debug({ records: records.length, predictions: predictions.length }, 'stream batch scored');
    },
  });
}
