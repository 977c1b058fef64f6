import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStackEnv, stackStatus } from '@omen/stack';

// What the services need from the dev broker (librdkafka 2.0.2's mock cluster), checked with
// the client they use. Only against our own broker: a real Kafka is not what this documents.
const status = await stackStatus({ engines: ['kafka'] });
const ours = status.engines[0]?.state === 'running';
const brokers = (readStackEnv().KAFKA_BROKERS ?? '').split(',').filter(Boolean);

describe.skipIf(!ours)('the dev Kafka broker', () => {
  const kafka = new Kafka({ clientId: `dev-broker-test-${randomUUID()}`, brokers, logLevel: logLevel.NOTHING });
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await Promise.all([admin.connect(), producer.connect()]);
  });
  afterAll(async () => {
    await Promise.allSettled([...consumers.map((c) => c.disconnect()), producer.disconnect(), admin.disconnect()]);
  });

  it('auto-creates an unknown topic on produce, with 4 partitions', async () => {
    const topic = `test.autocreate-${randomUUID()}.v1`;
    await producer.send({ topic, messages: [{ key: 'repo-1', value: 'x' }] });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(4);
  });

  it('serves a consumer group that reads everything from the start and commits its offsets', async () => {
    const topic = `test.group-${randomUUID()}.v1`;
    const groupId = `g-${randomUUID()}`;
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `repo-${i % 5}`, value: `v${i}` }));
    await producer.send({ topic, messages: sent });

    const consumer = kafka.consumer({ groupId });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            seen.push(message.value?.toString() ?? '');
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            if (seen.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    expect([...seen].sort()).toEqual(sent.map((m) => m.value).sort());

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]?.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(total).toBe(sent.length);
  });

  it('answers a waiting fetch when a record arrives, not when its maxWait ends (as Kafka does)', async () => {
    // librdkafka's mock answers an empty fetch only after its whole maxWait; ours holds the
    // request and handles it again when a record is appended. A consumer waiting 20 s per fetch
    // must therefore get a record produced while it waits long before those 20 s pass.
    const maxWaitMs = 20_000;
    const topic = `test.fetch-wait-${randomUUID()}.v1`;
    await producer.send({ topic, messages: [{ key: 'repo-1', value: 'first' }] });
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}`, maxWaitTimeInMs: maxWaitMs });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const arrived = new Map<string, number>();
    let firstArrived!: () => void;
    const first = new Promise<void>((resolve) => (firstArrived = resolve));
    let secondArrived!: () => void;
    const second = new Promise<void>((resolve) => (secondArrived = resolve));
    void consumer.run({
      eachMessage: ({ message }) => {
        const value = message.value?.toString() ?? '';
        arrived.set(value, Date.now());
        if (value === 'first') firstArrived();
        if (value === 'second') secondArrived();
        return Promise.resolve();
      },
    });
    await first;
    // The consumer's next fetch finds nothing and waits at the broker.
    await new Promise((r) => setTimeout(r, 1000));
    const producedAt = Date.now();
    await producer.send({ topic, messages: [{ key: 'repo-1', value: 'second' }] });
    await second;
    expect(arrived.get('second')! - producedAt).toBeLessThan(maxWaitMs / 2);
  }, 60_000);
});
