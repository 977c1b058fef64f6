import { describe, expect, it, onTestFinished } from 'vitest';
import type { ConsumedRecord } from '@omen/kafka';
import { createTestConsumer, createTestKafka, randomName, startPrivateBroker, waitFor } from '@omen/testing';

// The dev broker's default when a partition is full (packages/stack/native/README.md): it refuses
// produces with the retriable KAFKA_STORAGE_ERROR until the topic's manifest group has committed
// enough to delete. Seen from our client, that is backpressure: the idempotent producer retries
// the same batch and gets through once the consumer caught up — nothing lost, nothing twice.
const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);
const TOPIC = 'full.records.v1';
const RECORD = 1024;

describe('a full partition on the dev broker, through @omen/kafka', () => {
  it('makes the producer wait until the group has committed, then takes every record exactly once', async () => {
    const group = randomName('full');
    const broker = await startPrivateBroker(cleanup, {
      env: { OMEN_KAFKA_PARTITION_MAX_BYTES: String(24 * RECORD) },
      topicLines: `${TOPIC} 1 ${group}\n`,
    });
    const kafka = createTestKafka(cleanup, {
      brokers: broker.brokers,
      clientRetry: { retries: 8, initialRetryTimeMs: 200 },
    });
    const producer = await kafka.producer();
    cleanup(() => producer.disconnect());
    const send = (n: number) =>
      producer.sendRaw(TOPIC, [{ key: 'repo', value: Buffer.alloc(RECORD, n % 256), headers: { n: String(n) } }]);

    // Fill the partition while the consumer holds every record it is handed.
    let open = false;
    const handled: number[] = [];
    await createTestConsumer(cleanup, {
      kafka,
      group,
      topics: [TOPIC],
      schemaDecoding: false,
      handler: async (r: ConsumedRecord) => {
        await waitFor(() => open, { timeoutMs: 60_000, message: 'the gate' });
        handled.push(Number(r.headers['n']));
      },
    });
    let sent = 0;
    let waiting: Promise<unknown> | undefined;
    for (; sent < 40 && !waiting; sent++) {
      const pending = send(sent);
      const refused = await Promise.race([
        pending.then(() => false),
        new Promise<true>((resolve) => setTimeout(() => resolve(true), 2000)),
      ]);
      if (refused) waiting = pending;
    }
    // The last send did not return: it waits on the full partition (retrying), it did not fail.
    expect(waiting).toBeDefined();
    expect(sent).toBeGreaterThan(10);
    expect(sent).toBeLessThan(24);
    await waitFor(() => broker.stderr().includes(`not committed by group ${group}`), {
      message: 'the broker to say it is full',
    });

    // The consumer catches up and commits; the broker makes room; the waiting send and the rest go through.
    open = true;
    await waiting;
    const total = 40;
    for (let n = sent; n < total; n++) await send(n);
    await waitFor(() => handled.length === total, { timeoutMs: 60_000, message: `${total} records handled` });
    expect(handled).toEqual(Array.from({ length: total }, (_, n) => n));
  });
});
