/**
 * Kafka for omen: Avro values in the Confluent wire format through the schema registry, an
 * idempotent acks=all producer, and at-least-once consumers with retries and a DLQ.
 *
 *   const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'featurizer', registryUrl: env.SCHEMA_REGISTRY_URL, logger, metrics });
 *   const producer = await kafka.producer({ schemas: { 'features.commits.v1': avroSchema('commit_features') } });
 *   await producer.send('features.commits.v1', [{ key: repoId, value, eventId, eventTime }]);
 *   const consumer = await kafka.runConsumer<Commit>({
 *     group: 'featurizer', topics: ['scm.commits.v1'],
 *     handler: async (record, ctx) => sink.write(record.value),
 *   });
 *   stopOnSignals([consumer, { stop: () => kafka.close() }]);
 */
export { createKafka } from './kafka.ts';
export type {
  BatchConsumerOptions,
  ConsumerOptions,
  Kafka,
  KafkaOptions,
  ProducerOptions,
  RecordConsumerOptions,
} from './kafka.ts';
export type { AvroProducer, ProduceRecord, RawRecord, SchemaSource, SendOptions, SendResult } from './producer.ts';
export type {
  BatchHandler,
  ConsumedRecord,
  ConsumerRunner,
  DeferredAck,
  HandlerContext,
  RecordHandler,
} from './consumer/types.ts';
export { valueSubject } from './codec.ts';
export type { AvroSchema } from './codec.ts';
export { DLQ_HEADERS, EVENT_ID_HEADER, decodeHeaders, dlqHeaders, encodeHeaders, parseDlqHeaders } from './headers.ts';
export type { DlqInfo, Headers } from './headers.ts';
export { OFFSET_GAP_POLICIES, describeOffsetGap, offsetGapHealth } from './gaps.ts';
export type { OffsetGap, OffsetGapPolicy } from './gaps.ts';
export { computeLag } from './lag.ts';
export type { CommittedOffset, PartitionLag, PartitionWatermarks } from './lag.ts';
export { silentLogger } from './logger.ts';
export type { Logger } from './logger.ts';
export { OffsetTracker } from './offsets.ts';
export type { CommitPoint } from './offsets.ts';
export { DEFAULT_RETRY, backoffDelay, retryPolicy, shouldRetry } from './retry.ts';
export type { RetryOptions, RetryPolicy } from './retry.ts';
export { stopOnSignals } from './signals.ts';
export { recordTrace, withRecordTraces } from './tracing.ts';
export type { StopOnSignalsOptions, Stoppable } from './signals.ts';
export { MAGIC_BYTE, WIRE_HEADER_BYTES, readWireFrame, writeWireFrame } from './wire.ts';
export type { WireFrame } from './wire.ts';
