import { Kafka as KafkaJs, logLevel } from 'kafkajs';
import {
  createKafka,
  decodeHeaders,
  type AvroProducer,
  type BatchConsumerOptions,
  type ConsumerRunner,
  type Headers,
  type Kafka,
  type KafkaOptions,
  type ProducerOptions,
  type RecordConsumerOptions,
} from '@omen/kafka';
import type { Cleanup } from './cleanup.ts';
import { randomName } from './names.ts';
import { stackEnv } from './stack-env.ts';

/**
 * Consumer timings for tests: quick joins and rebalances on the dev broker, fetches that wait
 * well under the session timeout (kafkajs heartbeats from its fetch loop), short backoffs.
 */
export const FAST_CONSUMER = {
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 10_000,
  heartbeatIntervalMs: 500,
  maxWaitTimeMs: 200,
  lagIntervalMs: 0,
  retries: { max: 2, backoffMs: 20, maxBackoffMs: 100, jitter: 0 },
} as const;

/** A Kafka client on the dev stack with a random client id, closed by `cleanup`. */
export function createTestKafka(cleanup: Cleanup, overrides: Partial<KafkaOptions> = {}): Kafka {
  const env = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL');
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS,
    registryUrl: env.SCHEMA_REGISTRY_URL,
    clientId: randomName('test'),
    ...overrides,
  });
  cleanup(() => kafka.close());
  return kafka;
}

/** A connected producer on the dev stack, disconnected by `cleanup`. */
export async function createTestProducer(
  cleanup: Cleanup,
  overrides: ProducerOptions & { kafka?: Kafka } = {},
): Promise<AvroProducer> {
  const { kafka = createTestKafka(cleanup), ...options } = overrides;
  const producer = await kafka.producer(options);
  cleanup(() => producer.disconnect());
  return producer;
}

export type TestConsumerOptions<V> = (
  Omit<RecordConsumerOptions<V>, 'group'> | Omit<BatchConsumerOptions<V>, 'group'>
) & {
  /** @default randomName('group') */
  group?: string;
  kafka?: Kafka;
  /** Wait until the group is joined and assigned before returning. @default true */
  waitReady?: boolean;
  /**
   * A bound on the join, not a timing claim: a group rebalancing on a loaded 2-core machine
   * took more than 30 s to settle. @default 60000
   */
  readyTimeoutMs?: number;
};

/**
 * A running consumer on the dev stack with test timings (FAST_CONSUMER, overridable) and a
 * random group, stopped by `cleanup`.
 */
export async function createTestConsumer<V = unknown>(
  cleanup: Cleanup,
  options: TestConsumerOptions<V>,
): Promise<ConsumerRunner> {
  const {
    kafka = createTestKafka(cleanup),
    waitReady = true,
    readyTimeoutMs = 60_000,
    group = randomName('group'),
    ...rest
  } = options;
  const runner = await kafka.runConsumer<V>({ ...FAST_CONSUMER, ...rest, group });
  cleanup(() => runner.stop());
  if (waitReady)
    await withTimeout(
      runner.ready,
      readyTimeoutMs,
      `consumer group "${group}" did not join within ${readyTimeoutMs} ms`,
    );
  return runner;
}

/** A record as it is on the broker: bytes untouched, headers as text. */
export interface TopicRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Headers;
  timestamp: number;
}

export interface ReadTopicOptions {
  /**
   * Return as soon as this many records arrived, or once the predicate holds for what arrived.
   * A count is "enough" only when it is all the topic holds: the broker may hand over one
   * partition's records before another's, so the first N need not include every partition.
   * @default Infinity (read until the timeout)
   */
  until?: number | ((records: readonly TopicRecord[]) => boolean);
  /** @default 15000 */
  timeoutMs?: number;
  /** @default stackEnv().KAFKA_BROKERS */
  brokers?: string;
}

/**
 * Reads a topic from the beginning with plain kafkajs (independent of the code under test) in
 * a throwaway group; returns when `until` records arrived or the timeout passed, with what it
 * got, sorted by partition and offset. Asserting on the count is the caller's job, so "the DLQ
 * stayed empty" reads `expect(await readTopic(dlq, { timeoutMs: 3000 })).toHaveLength(0)`.
 */
export async function readTopic(topic: string, options: ReadTopicOptions = {}): Promise<TopicRecord[]> {
  const { until = Number.POSITIVE_INFINITY, timeoutMs = 15_000 } = options;
  const brokers = (options.brokers ?? stackEnv('KAFKA_BROKERS').KAFKA_BROKERS).split(',');
  const kafka = new KafkaJs({ clientId: randomName('reader'), brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: randomName('reader'),
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
  });
  const records: TopicRecord[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString('utf8') : null,
          value: message.value,
          headers: decodeHeaders(message.headers),
          timestamp: Number(message.timestamp),
        });
        if (typeof until === 'function' ? until(records) : records.length >= until) done();
        return Promise.resolve();
      },
    });
    await Promise.race([enough, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Polls `probe` until it returns a value other than undefined/false; throws `message` at the timeout. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 50, message = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
