import { describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema, avroType, type Commit } from '@omen/contracts';
import {
  createTestConsumer,
  createTestKafka,
  createTestProducer,
  randomName,
  readTopic,
  stackEnv,
  waitFor,
} from '@omen/testing';
import { EVENT_ID_HEADER, type ConsumedRecord } from '../../src/index.ts';
import { commit } from '../fixtures/commits.ts';

async function latestSchemaId(subject: string): Promise<number> {
  const response = await fetch(
    `${stackEnv('SCHEMA_REGISTRY_URL').SCHEMA_REGISTRY_URL}/subjects/${encodeURIComponent(subject)}/versions/latest`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: number }).id;
}

describe('Avro round trip through the dev broker and the schema registry', () => {
  it('delivers typed commits deep-equal, framed as magic 0 + the registry id', async () => {
    const topic = randomName('commits');
    const repo = `github:omen/${randomName('repo')}`;
    const sent = Array.from({ length: 6 }, (_, n) => commit(repo, n));

    const kafka = createTestKafka(onTestFinished);
    const producer = await createTestProducer(onTestFinished, { kafka, schemas: { [topic]: avroSchema('commit') } });
    const results = await producer.send(
      topic,
      sent.map((c) => ({ key: c.repo_id, value: c, eventId: c.event_id, eventTime: c.event_time })),
    );
    // One key: one partition, so one result and the order kept.
    expect(results).toHaveLength(1);

    const received: ConsumedRecord<Commit>[] = [];
    await createTestConsumer<Commit>(onTestFinished, {
      kafka,
      topics: [topic],
      handler: (record) => {
        received.push(record);
      },
    });
    await waitFor(() => received.length >= sent.length, { message: `${sent.length} records on ${topic}` });

    expect(received.map((r) => r.value)).toEqual(sent);
    const id = await latestSchemaId(`${topic}-value`);
    for (const [n, record] of received.entries()) {
      expect(record.key).toBe(repo);
      expect(record.eventId).toBe(sent[n]!.event_id);
      expect(record.timestamp).toBe(sent[n]!.event_time);
      expect(record.schemaId).toBe(id);
    }

    // The bytes on the wire, read with plain kafkajs and decoded with avsc alone.
    const raw = await readTopic(topic, { until: sent.length });
    expect(raw).toHaveLength(sent.length);
    const type = avroType('commit');
    for (const [n, record] of raw.entries()) {
      const bytes = record.value!;
      expect(bytes[0]).toBe(0);
      expect(bytes.readInt32BE(1)).toBe(id);
      expect(type.fromBuffer(bytes.subarray(5))).toEqual(sent[n]);
      expect(record.headers[EVENT_ID_HEADER]).toBe(sent[n]!.event_id);
    }
  });

  it('refuses a value that does not match the schema, naming the field, and sends nothing', async () => {
    const topic = randomName('commits');
    const producer = await createTestProducer(onTestFinished, { schemas: { [topic]: avroSchema('commit') } });
    const bad = { ...commit('github:omen/x', 1), sha: 42 } as unknown as Commit;
    await expect(producer.send(topic, [{ key: 'k', value: bad }])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('invalid at sha') as unknown,
    });
  });

  it('without a schema for the topic, says so instead of guessing', async () => {
    const producer = await createTestProducer(onTestFinished);
    const topic = randomName('unregistered');
    await expect(producer.send(topic, [{ key: 'k', value: { a: 1 } }])).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringContaining(`no schema registered for subject "${topic}-value"`) as unknown,
    });
  });
});
