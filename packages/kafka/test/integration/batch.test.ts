import { describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema, avroType, type Commit } from '@omen/contracts';
import { InvalidArgumentError } from '@omen/errors';
import { createTestConsumer, createTestKafka, createTestProducer, randomName, readTopic, waitFor } from '@omen/testing';
import { parseDlqHeaders, writeWireFrame } from '../../src/index.ts';
import { commit } from '../fixtures/commits.ts';

describe('batch handler', () => {
  it('gets a partition batch in one call, isolates the record it rejects, and dead-letters poison', async () => {
    const topic = randomName('batched');
    const group = randomName('batched');
    const repo = `github:omen/${randomName('repo')}`;
    const kafka = createTestKafka(onTestFinished);
    const producer = await createTestProducer(onTestFinished, { kafka, schemas: { [topic]: avroSchema('commit') } });

    const [first] = await producer.send(topic, [{ key: repo, value: commit(repo, 1) }]);
    expect(first?.baseOffset).toBe('0');
    const schemaId = (await readTopic(topic, { until: 1 }))[0]!.value!.readInt32BE(1);
    const framed = (c: Commit): Buffer => writeWireFrame(schemaId, avroType('commit').toBuffer(c));
    const [good2, good3, rejected, good4] = [
      commit(repo, 2),
      commit(repo, 3),
      commit(repo, 4, { message: 'REJECT ME' }),
      commit(repo, 5),
    ];
    // One send: one record batch, so the handler sees these together.
    await producer.sendRaw(topic, [
      { key: repo, value: framed(good2) },
      { key: repo, value: framed(good3) },
      { key: repo, value: Buffer.from('garbage') },
      { key: repo, value: framed(rejected) },
      { key: repo, value: framed(good4) },
    ]);

    const calls: string[][] = [];
    const processed: string[] = [];
    await createTestConsumer<Commit>(onTestFinished, {
      kafka,
      group,
      topics: [topic],
      retries: { max: 1, backoffMs: 10, jitter: 0 },
      batchHandler: (records) => {
        const ids = records.map((r) => r.value.event_id);
        calls.push(ids);
        if (records.some((r) => r.value.message === 'REJECT ME'))
          throw new InvalidArgumentError('batch holds a rejected commit', 'message');
        processed.push(...ids);
      },
    });

    await waitFor(() => processed.includes(good4.event_id), {
      timeoutMs: 30_000,
      message: 'the last record of the batch',
    });
    expect(processed).toEqual([commit(repo, 1), good2, good3, good4].map((c) => c.event_id));
    // The failing batch call held all four decodable records in order (and the first commit too
    // when one fetch returned both producer requests, as a Kafka broker may); then each went alone.
    const together = [good2, good3, rejected, good4].map((c) => c.event_id);
    expect(calls.filter((ids) => ids.join(',').endsWith(together.join(',')))).toHaveLength(1);
    expect(calls).toContainEqual([rejected.event_id]);

    const dlq = await readTopic(`${topic}.dlq.${group}`, { until: 2 });
    expect(dlq.map((r) => parseDlqHeaders(r.headers)).map((i) => [i?.originOffset, i?.errorCode, i?.attempts])).toEqual(
      [
        ['3', 'INVALID_ARGUMENT', 1],
        ['4', 'INVALID_ARGUMENT', 1],
      ],
    );
    expect(dlq[0]!.value!.toString()).toBe('garbage');
    expect(dlq[1]!.value!.equals(framed(rejected))).toBe(true);
    await waitFor(async () => (await kafka.consumerLag(group, [topic])).every((p) => p.lag === 0), {
      message: 'lag 0',
    });
  });
});
