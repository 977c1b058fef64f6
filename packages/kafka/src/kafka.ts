import { Kafka as KafkaJs, logLevel, type Admin } from 'kafkajs';
import type { Metrics } from '@omen/telemetry';
import { FailedPreconditionError, InvalidArgumentError } from '@omen/errors';
import { dlqTopic } from '@omen/topics';
import { AvroCodec } from './codec.ts';
import { KafkaConsumerRunner } from './consumer/runner.ts';
import type { BatchHandler, ConsumerRunner, RecordHandler } from './consumer/types.ts';
import { fromKafkaError } from './errors.ts';
import { OFFSET_GAP_POLICIES, type OffsetGap, type OffsetGapPolicy } from './gaps.ts';
import { installControllerFallback } from './kafkajs-compat.ts';
import { computeLag, type PartitionLag, type PartitionWatermarks } from './lag.ts';
import { kafkajsLogCreator, silentLogger, type Logger } from './logger.ts';
import { kafkaMetrics } from './metrics.ts';
import { javaCompatiblePartitioner } from './partitioner.ts';
import { KafkaAvroProducer, type AvroProducer, type SchemaSource } from './producer.ts';
import { retryPolicy, type RetryOptions } from './retry.ts';

export interface KafkaOptions {
  /** Bootstrap brokers, as a list or a comma-separated string (`KAFKA_BROKERS`). */
  brokers: readonly string[] | string;
  /** Names this process to the brokers and the registry (shows up in broker logs and quotas). */
  clientId: string;
  /** Base URL of the Confluent-compatible schema registry (`SCHEMA_REGISTRY_URL`). */
  registryUrl: string;
  /** @default a silent logger */
  logger?: Logger;
  /** The service's metrics (@omen/telemetry createMetrics); without them the series are kept private. */
  metrics?: Metrics;
  /** @default 3000 */
  connectionTimeoutMs?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
  /**
   * How kafkajs retries a request (connect, metadata, produce) before the call fails with
   * UNAVAILABLE: exponential from initialRetryTimeMs, `retries` times.
   * @default { retries: 5, initialRetryTimeMs: 300 }
   */
  clientRetry?: { retries?: number; initialRetryTimeMs?: number };
}

export interface ProducerOptions {
  /** Writer schema per topic (registered on first use); topics without one use the latest registered. */
  schemas?: SchemaSource;
  /** How long the brokers may take to acknowledge one send. @default 30000 */
  ackTimeoutMs?: number;
  /**
   * Bytes (values, keys and headers) per produce request at most; a larger send goes out as
   * several, in order. A broker refuses a record batch over its `message.max.bytes` (1 MiB by
   * default) whole, and kafkajs puts all of a send's records for a partition in one batch.
   * A single record over it is still sent alone, for the broker to judge. @default 921600 (900 KiB)
   */
  maxRequestBytes?: number;
}

interface ConsumerOptionsBase {
  /** Consumer group; also names the DLQ topic `<topic>.dlq.<group>`. */
  group: string;
  topics: readonly string[];
  /** Decode Avro values through the registry; false hands the handler raw bytes. @default true */
  schemaDecoding?: boolean;
  /** @default { max: 3, backoffMs: 200, maxBackoffMs: 10000, jitter: 0.2 } */
  retries?: RetryOptions;
  /**
   * Dead-letter records that stay failed. With false, such a record stops its partition:
   * the consumer crashes before committing it and restarts at it. @default true
   */
  dlq?: boolean;
  /** DLQ topic name for an origin topic. @default `<topic>.dlq.<group>` */
  dlqTopic?: (topic: string, group: string) => string;
  /** Where a group without a committed offset starts. @default true (the log start) */
  fromBeginning?: boolean;
  /** Partitions handled at once (records of one partition are always handled in order). @default 1 */
  partitionsConsumedConcurrently?: number;
  /** @default 30000 */
  sessionTimeoutMs?: number;
  /** @default 3000 */
  heartbeatIntervalMs?: number;
  /** @default 60000 */
  rebalanceTimeoutMs?: number;
  /**
   * Longest a fetch waits for data; keep well under sessionTimeoutMs (kafkajs heartbeats between
   * fetches). A broker that does not answer early when a record arrives (the dev stack's mock
   * cluster waits the whole time) adds up to this much to every hop between services: at 500 it
   * was most of the freshness bench's waiting time. A real broker answers as soon as data is
   * there, so a shorter wait only costs idle fetches. @default 100
   */
  maxWaitTimeMs?: number;
  /** Bounds one fetched batch per partition. @default 1048576 */
  maxBytesPerPartition?: number;
  /** In record mode, commit inside a long batch at most this often (a batch's end always commits). @default 5000 */
  commitIntervalMs?: number;
  /** How often `omen_kafka_consumer_lag` is refreshed; 0 turns the timer off. @default 15000 */
  lagIntervalMs?: number;
  /**
   * Most records held deferred (`HandlerContext.defer`) at once, over all partitions; at the
   * bound the consumer stops handing out records (heartbeating) until acks come. Each costs a
   * few dozen bytes here, plus what the handler keeps. @default 1000000
   */
  maxDeferred?: number;
  /**
   * When the next offset to read was deleted from the log before the group got there:
   * `stop` pauses the partition without committing past the gap (stateful consumers), `skip`
   * goes on from the log start (records that stand alone). Both count the lost records in
   * `omen_kafka_consumer_skipped_offsets_total` and log the range at error. @default 'stop'
   */
  offsetGapPolicy?: OffsetGapPolicy;
  /** Called after a gap's policy was applied, e.g. to report NOT_SERVING on a stop (`offsetGapHealth`). */
  onOffsetGap?: (gap: OffsetGap) => void;
  /** Called when a partition stopped at a gap is revoked from this consumer. */
  onOffsetGapCleared?: (gap: OffsetGap) => void;
}

export interface RecordConsumerOptions<V> extends ConsumerOptionsBase {
  /** Called once per record, in offset order within a partition. */
  handler: RecordHandler<V>;
  batchHandler?: never;
}

export interface BatchConsumerOptions<V> extends ConsumerOptionsBase {
  /** Called with up to `maxBatchSize` decoded records of one partition, in offset order. */
  batchHandler: BatchHandler<V>;
  handler?: never;
  /** @default 500 */
  maxBatchSize?: number;
}

export type ConsumerOptions<V> = RecordConsumerOptions<V> | BatchConsumerOptions<V>;

export interface Kafka {
  readonly clientId: string;
  /** A connected producer (idempotent, acks=all). */
  producer(options?: ProducerOptions): Promise<AvroProducer>;
  /** Starts a consumer; resolves once it is connected and subscribed (see `ready` for the assignment). */
  runConsumer<V = unknown>(options: ConsumerOptions<V>): Promise<ConsumerRunner>;
  /** A group's lag per partition, from the brokers' watermarks and the group's committed offsets. */
  consumerLag(group: string, topics: readonly string[]): Promise<PartitionLag[]>;
  /** Each partition's log start (`low`: older records were deleted) and end (`high`). */
  watermarks(topic: string): Promise<PartitionWatermarks[]>;
  /** Stops every consumer and disconnects every producer this client created. */
  close(): Promise<void>;
}

function int(key: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${key} must be an integer in [${min}, ${max}]; got ${String(value)}`, key);
  }
  return v;
}

function parseBrokers(brokers: readonly string[] | string): string[] {
  const list = (typeof brokers === 'string' ? brokers.split(',') : [...brokers]).map((b) => b.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('brokers must list at least one host:port', 'brokers');
  for (const broker of list) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new InvalidArgumentError(`brokers: "${broker}" is not host:port`, 'brokers');
    }
  }
  return list;
}

function parseRegistryUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    throw new InvalidArgumentError(`registryUrl must be an http(s) URL; got ${JSON.stringify(url)}`, 'registryUrl');
  }
  return url;
}

/**
 * A Kafka client for omen: Avro values in the Confluent wire format via the schema registry,
 * an idempotent acks=all producer, and at-least-once consumers with a DLQ. No kafkajs type
 * crosses this surface, so the client underneath can be swapped.
 */
export function createKafka(options: KafkaOptions): Kafka {
  const brokers = parseBrokers(options.brokers);
  if (!options.clientId) throw new InvalidArgumentError('clientId must be a non-empty string', 'clientId');
  const clientId = options.clientId;
  const registryUrl = parseRegistryUrl(options.registryUrl);
  const logger = options.logger ?? silentLogger;
  const metrics = kafkaMetrics(options.metrics);
  installControllerFallback();
  const kafka = new KafkaJs({
    clientId,
    brokers,
    connectionTimeout: int('connectionTimeoutMs', options.connectionTimeoutMs, 3000, 100, 600_000),
    requestTimeout: int('requestTimeoutMs', options.requestTimeoutMs, 30_000, 100, 600_000),
    retry: {
      retries: int('clientRetry.retries', options.clientRetry?.retries, 5, 0, 100),
      initialRetryTime: int('clientRetry.initialRetryTimeMs', options.clientRetry?.initialRetryTimeMs, 300, 1, 60_000),
    },
    logLevel: logLevel.INFO,
    logCreator: kafkajsLogCreator(logger),
  });
  const codec = new AvroCodec(registryUrl, clientId);

  const producers = new Set<AvroProducer>();
  const consumers = new Set<ConsumerRunner>();
  let admin: Promise<Admin> | undefined;
  let dlqProducer: Promise<AvroProducer> | undefined;
  let closed = false;

  const getAdmin = (): Promise<Admin> => {
    admin ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })();
    admin.catch(() => (admin = undefined));
    return admin;
  };

  const createProducer = async (producerOptions: ProducerOptions = {}): Promise<AvroProducer> => {
    if (closed) throw new FailedPreconditionError(`Kafka client "${clientId}" is closed`);
    // Idempotent: the broker drops the duplicates a retried send would otherwise write; it
    // requires acks=all, and one request in flight keeps retries from reordering records.
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      // murmur2 like the Java client, so a key lands on the same partition whoever produced it
      // (linear in the key's length, unlike kafkajs's own: see partitioner.ts).
      createPartitioner: javaCompatiblePartitioner,
    });
    try {
      await producer.connect();
    } catch (err) {
      throw fromKafkaError(err, 'connecting a producer');
    }
    const wrapped = new KafkaAvroProducer({
      producer,
      codec,
      metrics,
      timeoutMs: int('ackTimeoutMs', producerOptions.ackTimeoutMs, 30_000, 100, 600_000),
      maxRequestBytes: int('maxRequestBytes', producerOptions.maxRequestBytes, 900 * 1024, 1024, 1_073_741_824),
      ...(producerOptions.schemas ? { schemas: producerOptions.schemas } : {}),
    });
    const tracked: AvroProducer = {
      send: (topic, records, sendOptions) => wrapped.send(topic, records, sendOptions),
      sendRaw: (topic, records) => wrapped.sendRaw(topic, records),
      disconnect: async () => {
        producers.delete(tracked);
        await wrapped.disconnect();
      },
    };
    producers.add(tracked);
    return tracked;
  };

  const getDlqProducer = (): Promise<AvroProducer> => {
    dlqProducer ??= createProducer();
    dlqProducer.catch(() => (dlqProducer = undefined));
    return dlqProducer;
  };

  const watermarks = async (topic: string): Promise<PartitionWatermarks[]> => {
    const client = await getAdmin();
    return client.fetchTopicOffsets(topic);
  };

  const consumerLag = async (group: string, topics: readonly string[]): Promise<PartitionLag[]> => {
    const client = await getAdmin();
    try {
      const committed = await client.fetchOffsets({ groupId: group, topics: [...topics] });
      const all: PartitionLag[] = [];
      for (const topic of topics) {
        const offsets = committed.find((c) => c.topic === topic)?.partitions ?? [];
        all.push(...computeLag(topic, await client.fetchTopicOffsets(topic), offsets));
      }
      return all;
    } catch (err) {
      throw fromKafkaError(err, `reading the lag of group "${group}"`);
    }
  };

  const runConsumer = async <V>(consumerOptions: ConsumerOptions<V>): Promise<ConsumerRunner> => {
    if (closed) throw new FailedPreconditionError(`Kafka client "${clientId}" is closed`);
    const { group } = consumerOptions;
    if (!group) throw new InvalidArgumentError('group must be a non-empty string', 'group');
    const topics = [...(consumerOptions.topics ?? [])];
    if (topics.length === 0) throw new InvalidArgumentError('topics must list at least one topic', 'topics');
    const handler = consumerOptions.handler;
    const batchHandler = consumerOptions.batchHandler;
    if ((handler === undefined) === (batchHandler === undefined)) {
      throw new InvalidArgumentError('give exactly one of handler (per record) or batchHandler', 'handler');
    }
    const offsetGapPolicy = consumerOptions.offsetGapPolicy ?? 'stop';
    if (!OFFSET_GAP_POLICIES.includes(offsetGapPolicy)) {
      throw new InvalidArgumentError(
        `offsetGapPolicy must be one of ${OFFSET_GAP_POLICIES.join(', ')}; got ${String(offsetGapPolicy)}`,
        'offsetGapPolicy',
      );
    }
    const naming = consumerOptions.dlqTopic ?? dlqTopic;
    const dlqEnabled = consumerOptions.dlq ?? true;
    // Fail at start, not at the first poison record, when a DLQ name cannot be made.
    if (dlqEnabled) for (const topic of topics) naming(topic, group);
    const sessionTimeout = int('sessionTimeoutMs', consumerOptions.sessionTimeoutMs, 30_000, 1000, 3_600_000);
    const heartbeatInterval = int(
      'heartbeatIntervalMs',
      consumerOptions.heartbeatIntervalMs,
      3000,
      100,
      sessionTimeout - 1,
    );
    const maxWaitTimeInMs = int('maxWaitTimeMs', consumerOptions.maxWaitTimeMs, 100, 0, Math.floor(sessionTimeout / 2));
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout,
      heartbeatInterval,
      rebalanceTimeout: int('rebalanceTimeoutMs', consumerOptions.rebalanceTimeoutMs, 60_000, 1000, 3_600_000),
      maxWaitTimeInMs,
      maxBytesPerPartition: int(
        'maxBytesPerPartition',
        consumerOptions.maxBytesPerPartition,
        1_048_576,
        1024,
        1_073_741_824,
      ),
      allowAutoTopicCreation: true,
    });
    const runner = new KafkaConsumerRunner<V>(
      {
        group,
        topics,
        handler,
        batchHandler,
        schemaDecoding: consumerOptions.schemaDecoding ?? true,
        retry: retryPolicy(consumerOptions.retries),
        dlqTopicFor: dlqEnabled ? (topic) => naming(topic, group) : undefined,
        fromBeginning: consumerOptions.fromBeginning ?? true,
        partitionsConsumedConcurrently: int(
          'partitionsConsumedConcurrently',
          consumerOptions.partitionsConsumedConcurrently,
          1,
          1,
          1000,
        ),
        heartbeatIntervalMs: heartbeatInterval,
        commitIntervalMs: int('commitIntervalMs', consumerOptions.commitIntervalMs, 5000, 0, 3_600_000),
        lagIntervalMs: int('lagIntervalMs', consumerOptions.lagIntervalMs, 15_000, 0, 3_600_000),
        maxDeferred: int('maxDeferred', consumerOptions.maxDeferred, 1_000_000, 1, 100_000_000),
        offsetGapPolicy,
        onOffsetGap: consumerOptions.onOffsetGap,
        onOffsetGapCleared: consumerOptions.onOffsetGapCleared,
        maxBatchSize: int(
          'maxBatchSize',
          'maxBatchSize' in consumerOptions ? consumerOptions.maxBatchSize : undefined,
          500,
          1,
          1_000_000,
        ),
      },
      { consumer, codec, dlqProducer: getDlqProducer, lag: consumerLag, watermarks, metrics, logger },
    );
    await runner.start();
    const tracked: ConsumerRunner = {
      group: runner.group,
      topics: runner.topics,
      ready: runner.ready,
      crashed: runner.crashed,
      refreshLag: () => runner.refreshLag(),
      stoppedPartitions: () => runner.stoppedPartitions(),
      acceptGap: (topic, partition, expected) => runner.acceptGap(topic, partition, expected),
      stop: async () => {
        consumers.delete(tracked);
        await runner.stop();
      },
    };
    consumers.add(tracked);
    return tracked;
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    // Consumers first: their last commits and DLQ sends still need the producers.
    await Promise.allSettled([...consumers].map((c) => c.stop()));
    await Promise.allSettled([...producers].map((p) => p.disconnect()));
    if (admin) await Promise.allSettled([admin.then((a) => a.disconnect())]);
  };

  return { clientId, producer: createProducer, runConsumer, consumerLag, watermarks, close };
}
