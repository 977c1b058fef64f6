import { describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema, type Commit } from '@omen/contracts';
import { createMetrics } from '@omen/telemetry';
import { createTestConsumer, createTestKafka, createTestProducer, randomName, waitFor } from '@omen/testing';
import { commit } from '../fixtures/commits.ts';

describe('omen_kafka_consumer_lag', () => {
  it('counts the records the group has not committed, and drops to 0 once it has', async () => {
    const metrics = createMetrics({ service: 'kafka-lag-test', defaultMetrics: false });
    const kafka = createTestKafka(onTestFinished, { metrics });
    const topic = randomName('lagging');
    const group = randomName('lagging');
    const repo = `github:omen/${randomName('repo')}`;
    const producer = await createTestProducer(onTestFinished, { kafka, schemas: { [topic]: avroSchema('commit') } });
    const total = 12;
    await producer.send(
      topic,
      Array.from({ length: total }, (_, n) => ({ key: repo, value: commit(repo, n) })),
    );

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    const runner = await createTestConsumer<Commit>(onTestFinished, {
      kafka,
      group,
      topics: [topic],
      handler: async () => {
        await gate;
        handled += 1;
      },
    });
    await waitFor(() => runner.refreshLag().then((lag) => lag.length > 0), { message: 'partition watermarks' });

    const gauge = async (): Promise<number> => {
      const { values } = await metrics.registry.getSingleMetric('omen_kafka_consumer_lag')!.get();
      return values
        .filter((v) => v.labels['group'] === group && v.labels['topic'] === topic)
        .reduce((sum, v) => sum + v.value, 0);
    };

    // The handler holds the first record: nothing is committed, the whole topic is lag.
    await runner.refreshLag();
    expect(await gauge()).toBe(total);

    release();
    await waitFor(() => handled === total, { message: `${total} records handled` });
    await waitFor(async () => (await runner.refreshLag()).every((p) => p.lag === 0), { message: 'the final commit' });
    expect(await gauge()).toBe(0);

    const processed = await metrics.registry.getSingleMetric('omen_kafka_consumer_records_processed_total')!.get();
    expect(processed.values.find((v) => v.labels['group'] === group)?.value).toBe(total);
  });
});
