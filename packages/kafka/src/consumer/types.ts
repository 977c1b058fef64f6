import type { Consumer as KafkaJsConsumer } from 'kafkajs';
import type { OmenError } from '@omen/errors';
import type { AvroCodec } from '../codec.ts';
import type { OffsetGap, OffsetGapPolicy } from '../gaps.ts';
import type { Headers } from '../headers.ts';
import type { PartitionLag, PartitionWatermarks } from '../lag.ts';
import type { Logger } from '../logger.ts';
import type { KafkaMetrics } from '../metrics.ts';
import type { AvroProducer } from '../producer.ts';
import type { RetryPolicy } from '../retry.ts';
import type { Context } from '../tracing.ts';

/** A record as a handler sees it. */
export interface ConsumedRecord<V = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The decoded Avro value; the raw bytes when the consumer runs without schema decoding. */
  value: V;
  headers: Headers;
  /** Kafka record timestamp: the producer's event time, epoch milliseconds. */
  timestamp: number;
  /** The `event-id` header: the idempotency id sinks deduplicate on. */
  eventId: string | undefined;
  /** Registry id the value was written with; undefined without schema decoding. */
  schemaId: number | undefined;
  /** The value exactly as it was on the wire. */
  rawValue: Buffer | null;
  /**
   * This record's processing context: a CONSUMER span that is a child of the producer's span
   * (in batch mode one per record, beside the batch span that links them all). Send what is
   * computed from the record with it (`ProduceRecord.trace`, or `withRecordTraces`) and the
   * trace goes on through the next hop.
   */
  trace?: Context;
}

export interface HandlerContext {
  group: string;
  /** 1 on the first try, 2 on the first retry, … */
  attempt: number;
  /**
   * Aborted when the consumer stops. A handler may use it to cut a long wait short; if it then
   * throws, its record stays uncommitted and is delivered again after the restart.
   */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Defers the completion of one of the records this call was given: when the handler returns,
   * the record stays pending — its offset, and every later one of its partition, uncommitted —
   * until the returned ack is called. For a handler whose work on a record ends later than its
   * return (the drift-detector's window counts, reported only when the window closes), so that
   * a crash before then re-delivers the record. The partition keeps being consumed meanwhile.
   * Calling it again for the record returns the same ack; acks are idempotent. An ack is
   * ignored when the call that deferred it failed (the record is retried or dead-lettered), or
   * when the partition was revoked or re-delivered since: the new delivery is what counts.
   */
  defer(record: ConsumedRecord<unknown>): DeferredAck;
}

/** Completes a deferred record (see `HandlerContext.defer`). */
export type DeferredAck = () => void;

export type RecordHandler<V> = (record: ConsumedRecord<V>, ctx: HandlerContext) => Promise<void> | void;
export type BatchHandler<V> = (records: ConsumedRecord<V>[], ctx: HandlerContext) => Promise<void> | void;

/** Handle of a running consumer. */
export interface ConsumerRunner {
  readonly group: string;
  readonly topics: readonly string[];
  /** Resolves when the consumer has joined its group and received an assignment. */
  readonly ready: Promise<void>;
  /**
   * Resolves (never rejects) if the consumer stopped for good on an error the client does not
   * restart from; retryable crashes are restarted by the client and do not resolve it. A
   * service exits on it so its supervisor restarts the process.
   */
  readonly crashed: Promise<OmenError>;
  /**
   * Stops fetching, lets the record in flight finish, commits what is done, leaves the
   * group and disconnects. Idempotent.
   */
  stop(): Promise<void>;
  /** Reads the group's lag from the brokers and updates `omen_kafka_consumer_lag`. */
  refreshLag(): Promise<PartitionLag[]>;
  /** Partitions this consumer stopped at a gap in their log (policy `stop`), with the reason. */
  stoppedPartitions(): OffsetGap[];
  /**
   * An operator's decision to go on without a stopped partition's lost records (the consumer
   * never calls it itself): moves the partition to its log start, read again now since
   * retention may have moved it on, resumes it and clears the stop. `expected` must be the
   * offset the partition stopped at, so a decision made about one gap never accepts another.
   * Throws FAILED_PRECONDITION when the partition is not stopped there.
   * @returns the gap as accepted: `logStart`/`resumeAt` where reading goes on, `skipped` all lost
   */
  acceptGap(topic: string, partition: number, expected: string): Promise<OffsetGap>;
}

export interface ConsumerSettings<V> {
  group: string;
  topics: readonly string[];
  handler: RecordHandler<V> | undefined;
  batchHandler: BatchHandler<V> | undefined;
  schemaDecoding: boolean;
  retry: RetryPolicy;
  /** DLQ topic for a record's origin topic; undefined when dead-lettering is off. */
  dlqTopicFor: ((topic: string) => string) | undefined;
  fromBeginning: boolean;
  partitionsConsumedConcurrently: number;
  heartbeatIntervalMs: number;
  commitIntervalMs: number;
  lagIntervalMs: number;
  maxBatchSize: number;
  /** Most deferred records held at once; at the bound the consumer waits for acks. */
  maxDeferred: number;
  /** What to do when the next offset to read is no longer in the log (gaps.ts). */
  offsetGapPolicy: OffsetGapPolicy;
  /** Told of every gap, after the policy was applied (a service turns a stop into NOT_SERVING). */
  onOffsetGap: ((gap: OffsetGap) => void) | undefined;
  /** Told when a partition stopped at a gap was revoked from this consumer. */
  onOffsetGapCleared: ((gap: OffsetGap) => void) | undefined;
}

/** What a consumer is built on (kafka.ts wires them). */
export interface ConsumerDeps {
  consumer: KafkaJsConsumer;
  codec: AvroCodec;
  dlqProducer: () => Promise<AvroProducer>;
  lag: (group: string, topics: readonly string[]) => Promise<PartitionLag[]>;
  watermarks: (topic: string) => Promise<PartitionWatermarks[]>;
  metrics: KafkaMetrics;
  logger: Logger;
}

/** What every stage of one consumer shares: its settings, its dependencies and its stop signal. */
export interface ConsumerScope<V> {
  readonly group: string;
  readonly settings: ConsumerSettings<V>;
  readonly deps: ConsumerDeps;
  readonly log: Logger;
  /** Aborted when the consumer stops. */
  readonly signal: AbortSignal;
}
