import { describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema, type Commit } from '@omen/contracts';
import { InvalidArgumentError, UnavailableError } from '@omen/errors';
import { createTestConsumer, createTestKafka, createTestProducer, randomName, readTopic, waitFor } from '@omen/testing';
import { DLQ_HEADERS, EVENT_ID_HEADER, parseDlqHeaders, writeWireFrame } from '../../src/index.ts';
import { commit } from '../fixtures/commits.ts';

describe('poison records', () => {
  it('go to <topic>.dlq.<group> with the original bytes and the error, while the records after them are processed', async () => {
    const topic = randomName('poison');
    const group = randomName('poison');
    const repo = `github:omen/${randomName('repo')}`;
    const kafka = createTestKafka(onTestFinished);
    const producer = await createTestProducer(onTestFinished, { kafka, schemas: { [topic]: avroSchema('commit') } });

    const good1 = commit(repo, 1);
    const rejected = commit(repo, 2, { message: 'REJECT ME' });
    const flaky = commit(repo, 3, { message: 'FLAKY' });
    const down = commit(repo, 4, { message: 'ALWAYS DOWN' });
    const good2 = commit(repo, 5);
    const garbage = Buffer.from('this is not Avro at all');
    const wrongMagic = Buffer.from([1, 0, 0, 0, 1, 2, 4, 6]);
    const unknownId = writeWireFrame(987_654, Buffer.from([2, 4, 6]));

    // All on one key, so one partition holds them in this order.
    const typed = (c: Commit) => ({ key: repo, value: c, eventId: c.event_id });
    await producer.send(topic, [typed(good1)]);
    await producer.sendRaw(topic, [
      { key: repo, value: garbage, headers: { [EVENT_ID_HEADER]: 'garbage' } },
      { key: repo, value: wrongMagic },
      { key: repo, value: unknownId },
    ]);
    await producer.send(topic, [typed(rejected), typed(flaky), typed(down), typed(good2)]);

    const processed: string[] = [];
    const attempts = new Map<string, number>();
    await createTestConsumer<Commit>(onTestFinished, {
      kafka,
      group,
      topics: [topic],
      retries: { max: 2, backoffMs: 10, jitter: 0 },
      handler: (record, ctx) => {
        const { message, event_id } = record.value;
        attempts.set(event_id, ctx.attempt);
        if (message === 'REJECT ME') throw new InvalidArgumentError('commit message is not acceptable', 'message');
        if (message === 'FLAKY' && ctx.attempt < 3) throw new UnavailableError('sink briefly down');
        if (message === 'ALWAYS DOWN') throw new UnavailableError('sink down for good');
        processed.push(event_id);
      },
    });

    await waitFor(() => processed.includes(good2.event_id), {
      timeoutMs: 30_000,
      message: 'the record after the poison ones',
    });
    expect(processed).toEqual([good1.event_id, flaky.event_id, good2.event_id]);
    // Retryable failures were retried (FLAKY succeeded on its third try, ALWAYS DOWN gave up
    // after max 2 retries); the validation error was not retried.
    expect(attempts.get(flaky.event_id)).toBe(3);
    expect(attempts.get(down.event_id)).toBe(3);
    expect(attempts.get(rejected.event_id)).toBe(1);

    const origin = await readTopic(topic, { until: 8 });
    expect(origin).toHaveLength(8);
    const dlq = await readTopic(`${topic}.dlq.${group}`, { until: 5 });
    expect(dlq).toHaveLength(5);

    const expected = [
      { at: 1, code: 'INVALID_ARGUMENT', message: /wrong magic byte 116/, attempts: 1 },
      { at: 2, code: 'INVALID_ARGUMENT', message: /wrong magic byte 1 /, attempts: 1 },
      { at: 3, code: 'NOT_FOUND', message: /unknown schema id 987654/, attempts: 1 },
      { at: 4, code: 'INVALID_ARGUMENT', message: /commit message is not acceptable/, attempts: 1 },
      { at: 6, code: 'UNAVAILABLE', message: /sink down for good/, attempts: 3 },
    ];
    for (const [i, want] of expected.entries()) {
      const dead = dlq[i]!;
      const original = origin[want.at]!;
      expect(dead.value!.equals(original.value!)).toBe(true);
      expect(dead.key).toBe(repo);
      const info = parseDlqHeaders(dead.headers);
      expect(info).toMatchObject({
        errorCode: want.code,
        originTopic: topic,
        originPartition: original.partition,
        originOffset: original.offset,
        originTimestamp: String(original.timestamp),
        group,
        attempts: want.attempts,
      });
      expect(info!.errorMessage).toMatch(want.message);
      expect(Number.isNaN(info!.failedAt.getTime())).toBe(false);
      // The original headers travel along, so a replay keeps its event id and trace.
      if (original.headers[EVENT_ID_HEADER])
        expect(dead.headers[EVENT_ID_HEADER]).toBe(original.headers[EVENT_ID_HEADER]);
    }
    expect(dlq[0]!.headers[DLQ_HEADERS.errorMessage]).toContain('undecodable record');

    // The stream went on: everything, poison included, is committed.
    await waitFor(async () => (await kafka.consumerLag(group, [topic])).every((p) => p.lag === 0), {
      message: 'lag 0 after the poison',
    });
  });

  it('when the DLQ itself cannot be written, commits nothing past the poison record', async () => {
    const topic = randomName('dlqdown');
    const group = randomName('dlqdown');
    const repo = `github:omen/${randomName('repo')}`;
    const kafka = createTestKafka(onTestFinished);
    const producer = await createTestProducer(onTestFinished, { kafka, schemas: { [topic]: avroSchema('commit') } });
    const before = commit(repo, 1);
    const after = commit(repo, 2);
    await producer.send(topic, [{ key: repo, value: before }]);
    await producer.sendRaw(topic, [{ key: repo, value: Buffer.from('poison') }]);
    await producer.send(topic, [{ key: repo, value: after }]);

    const processed: string[] = [];
    let dlqAttempts = 0;
    await createTestConsumer<Commit>(onTestFinished, {
      kafka,
      group,
      topics: [topic],
      // The dev broker accepts any topic name, so a name our producer refuses stands in for
      // a DLQ that cannot be written: the runner sees its DLQ send fail either way.
      dlqTopic: () => {
        dlqAttempts += 1;
        return '';
      },
      handler: (record) => {
        processed.push(record.value.event_id);
      },
    });

    await waitFor(() => dlqAttempts >= 3, {
      timeoutMs: 30_000,
      message: 'repeated attempts to dead-letter the poison record',
    });
    expect(processed).not.toContain(after.event_id);
    const [partition] = (await kafka.consumerLag(group, [topic])).filter((p) => p.highWatermark !== '0');
    // Offset 1 is the poison record: the record before it is committed, the poison never.
    expect(partition!.committed).toBe('1');
  });
});
