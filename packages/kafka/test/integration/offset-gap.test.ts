import { Kafka as KafkaJs, logLevel, type Admin, type Producer } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMetrics, type Metrics } from '@omen/telemetry';
import { createTestConsumer, createTestKafka, randomName, startPrivateBroker, waitFor } from '@omen/testing';
import type { ConsumedRecord, Logger, OffsetGap, OffsetGapPolicy } from '@omen/kafka';

// A retention gap under a stopped consumer, as on any Kafka: the group commits, goes away,
// retention deletes records it never read, the group comes back. Forced on a dev broker of the
// test's own that deletes like a real Kafka's retention.bytes (OMEN_KAFKA_WHEN_FULL=delete-oldest)
// with a tiny partition limit. The consumer sees only the broker's out-of-range answer.
const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);
const TOPIC = 'gap.records.v1';
const RECORD = 1024;

interface Setup {
  brokers: string;
  admin: Admin;
  producer: Producer;
}

async function setup(): Promise<Setup> {
  const broker = await startPrivateBroker(cleanup, {
    env: { OMEN_KAFKA_WHEN_FULL: 'delete-oldest', OMEN_KAFKA_PARTITION_MAX_BYTES: String(32 * RECORD) },
    topicLines: `${TOPIC} 1 -\n`,
  });
  const raw = new KafkaJs({ clientId: randomName('gap'), brokers: broker.brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = raw.admin();
  const producer = raw.producer();
  await Promise.all([admin.connect(), producer.connect()]);
  cleanup(async () => {
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  });
  return { brokers: broker.brokers, admin, producer };
}

/** One record per request: the broker deletes whole batches, so each record is one. */
async function produce(producer: Producer, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) await producer.send({ topic: TOPIC, messages: [{ key: 'repo', value: Buffer.alloc(RECORD, i % 256) }] });
}

async function committed(admin: Admin, group: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [TOPIC] });
  return Number(t!.partitions[0]!.offset);
}

async function logStart(admin: Admin): Promise<number> {
  const [p] = await admin.fetchTopicOffsets(TOPIC);
  return Number(p!.low);
}

function capturingLogger(): { logger: Logger; errors: Array<{ fields: Record<string, unknown>; message: string }> } {
  const errors: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const noop = (): void => {};
  return { logger: { debug: noop, info: noop, warn: noop, error: (fields, message = '') => errors.push({ fields: fields as Record<string, unknown>, message }) }, errors };
}

async function counter(metrics: Metrics, name: string, group: string): Promise<number | undefined> {
  const { values } = await metrics.registry.getSingleMetric(name)!.get();
  return values.find((v) => v.labels['group'] === group && v.labels['topic'] === TOPIC && v.labels['partition'] === '0')?.value;
}

/** Reads the first 10 records and commits them, then stops: the group's position is 10. */
async function consumeFirstTen(s: Setup, group: string): Promise<void> {
  const kafka = createTestKafka(cleanup, { brokers: s.brokers });
  let seen = 0;
  const first = await createTestConsumer(cleanup, { kafka, group, topics: [TOPIC], schemaDecoding: false, handler: () => void (seen += 1) });
  await waitFor(() => seen === 10, { message: '10 records handled' });
  await waitFor(async () => (await committed(s.admin, group)) === 10, { message: 'offset 10 committed' });
  await first.stop();
}

/**
 * The group reads and commits 10 records and goes away; 100 more arrive and the broker, keeping
 * about 30, deletes 10.. before the group is back. Returns the log start.
 */
async function gapUnderStoppedGroup(s: Setup, group: string): Promise<number> {
  await produce(s.producer, 0, 10);
  await consumeFirstTen(s, group);
  await produce(s.producer, 10, 100);
  const start = await logStart(s.admin);
  expect(start).toBeGreaterThan(10);
  return start;
}

async function restart(s: Setup, group: string, policy: OffsetGapPolicy) {
  const metrics = createMetrics({ service: 'offset-gap-test', defaultMetrics: false });
  const { logger, errors } = capturingLogger();
  const kafka = createTestKafka(cleanup, { brokers: s.brokers, metrics, logger });
  const handled: string[] = [];
  const gaps: OffsetGap[] = [];
  const runner = await createTestConsumer(cleanup, {
    kafka,
    group,
    topics: [TOPIC],
    schemaDecoding: false,
    offsetGapPolicy: policy,
    onOffsetGap: (gap) => gaps.push(gap),
    handler: (r: ConsumedRecord) => void handled.push(r.offset),
  });
  return { metrics, errors, handled, gaps, runner };
}

describe('an offset gap (records deleted before the group read them)', () => {
  it('policy stop: counts the exact lost range, logs it at error, pauses the partition and commits nothing past the gap', async () => {
    const s = await setup();
    const group = randomName('gap-stop');
    const start = await gapUnderStoppedGroup(s, group);

    const { metrics, errors, handled, gaps, runner } = await restart(s, group, 'stop');
    const [gap] = await waitFor(() => gaps.length > 0 && gaps, { message: 'the gap to be reported' });
    expect(gap).toMatchObject({ group, topic: TOPIC, partition: 0, kind: 'deleted', expected: '10', logStart: String(start), skipped: start - 10, policy: 'stop' });
    expect(await counter(metrics, 'kafka_consumer_skipped_offsets_total', group)).toBe(start - 10);
    expect(await counter(metrics, 'kafka_consumer_partition_stopped', group)).toBe(1);
    const logged = errors.find((e) => e.fields['firstMissing'] === '10');
    expect(logged?.fields).toMatchObject({ lastMissing: String(start - 1), skipped: start - 10, policy: 'stop' });
    expect(logged?.message).toContain(`offsets 10..${start - 1} of ${TOPIC}/0 (${start - 10} records) were deleted`);
    expect(runner.stoppedPartitions()).toEqual([gap]);

    // Stopped means stopped: more records arrive, none is handled, the commit stays before the gap.
    await produce(s.producer, 110, 3);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(handled).toEqual([]);
    expect(await committed(s.admin, group)).toBe(10);
  });

  it('policy skip: counts and logs the same range, then goes on from the log start and commits past the gap', async () => {
    const s = await setup();
    const group = randomName('gap-skip');
    const start = await gapUnderStoppedGroup(s, group);

    const { metrics, errors, handled, gaps, runner } = await restart(s, group, 'skip');
    await waitFor(() => handled.length === 110 - start, { message: `the ${110 - start} records still in the log handled` });
    expect(handled[0]).toBe(String(start));
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ expected: '10', skipped: start - 10, resumeAt: String(start), policy: 'skip' });
    expect(await counter(metrics, 'kafka_consumer_skipped_offsets_total', group)).toBe(start - 10);
    expect(await counter(metrics, 'kafka_consumer_partition_stopped', group)).toBeUndefined();
    expect(errors.some((e) => e.fields['firstMissing'] === '10' && e.fields['lastMissing'] === String(start - 1))).toBe(true);
    expect(runner.stoppedPartitions()).toEqual([]);
    await waitFor(async () => (await committed(s.admin, group)) === 110, { message: 'the commit to pass the gap' });
  });
});
