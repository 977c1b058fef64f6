import { describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema } from '@omen/contracts';
import { checkHealth } from '@omen/grpc';
import { createTestKafka, createTestProducer, readTopic, startPrivateBroker, waitFor } from '@omen/testing';
import { EXPRESS_REPO, readExpressRaw, toCommitEvent } from '../helpers/express.ts';
import { startInProcessFeaturizer } from '../helpers/in-process.ts';

const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);

// Retention deletes express commits the featurizer's group has not read while the featurizer is
// down (a dev broker of the test's own, deleting like a real Kafka's retention.bytes). History
// metrics of the commits after the gap would be computed on an incomplete history, so the
// featurizer's default policy is to stop there and say why.
describe('the featurizer at a retention gap in scm.commits.v1', () => {
  it('stops that partition, commits nothing past the gap, counts the lost offsets and reports NOT_SERVING', async () => {
    const broker = await startPrivateBroker(cleanup, {
      env: { OMEN_KAFKA_WHEN_FULL: 'delete-oldest', OMEN_KAFKA_PARTITION_MAX_BYTES: String(64 * 1024) },
    });
    const first = await startInProcessFeaturizer('fzgap', { KAFKA_BROKERS: broker.brokers });
    let second: Awaited<ReturnType<typeof startInProcessFeaturizer>> | undefined;
    try {
      const { names } = first;
      const kafka = createTestKafka(cleanup, { brokers: broker.brokers });
      const producer = await createTestProducer(cleanup, { kafka, schemas: { [names.commits]: avroSchema('commit') } });
      const raw = readExpressRaw();
      const send = (from: number, to: number) =>
        producer.send(
          names.commits,
          raw.slice(from, to).map((r) => ({ key: EXPRESS_REPO, value: toCommitEvent(r) })),
        );
      const committedTotal = async () =>
        (await kafka.consumerLag(names.group, [names.commits])).reduce(
          (sum, p) => sum + Math.max(0, Number(p.committed)),
          0,
        );

      await send(0, 20);
      await waitFor(async () => (await committedTotal()) === 20, {
        timeoutMs: 60_000,
        message: 'the first 20 commits featurized and committed',
      });
      await first.featurizer.stop();

      // While it is down: 600 more commits in small requests; the broker keeps about 64 KiB of them.
      for (let i = 20; i < 620; i += 10) await send(i, i + 10);
      // One repository, one partition: its oldest record still in the log is the log start.
      const [oldest] = await readTopic(names.commits, { brokers: broker.brokers, until: 1 });
      const p = { partition: oldest!.partition };
      const low = Number(oldest!.offset);
      expect(
        (await kafka.consumerLag(names.group, [names.commits])).find((l) => l.partition === p.partition)?.highWatermark,
      ).toBe('620');
      expect(low).toBeGreaterThan(20);

      // Back up, same group and topics.
      second = await startInProcessFeaturizer('fzgap2', { KAFKA_BROKERS: broker.brokers }, { waitReady: false, names });
      const { consumer } = await second.featurizer.handle;
      const [gap] = await waitFor(() => consumer.stoppedPartitions().length > 0 && consumer.stoppedPartitions(), {
        timeoutMs: 30_000,
        message: 'the partition to stop',
      });
      expect(gap).toMatchObject({
        group: names.group,
        topic: names.commits,
        partition: p.partition,
        expected: '20',
        logStart: String(low),
        skipped: low - 20,
        policy: 'stop',
      });
      expect(gap!.reason).toContain(
        `offsets 20..${low - 1} of ${names.commits}/${p.partition} (${low - 20} records) were deleted`,
      );

      const address = `127.0.0.1:${second.featurizer.grpcPort}`;
      await waitFor(async () => (await checkHealth(address)) === 'NOT_SERVING', { message: 'health NOT_SERVING' });
      const metrics = await (await fetch(`${second.featurizer.metricsUrl}/metrics`)).text();
      const series = metrics
        .split('\n')
        .find(
          (l) =>
            l.startsWith('omen_kafka_consumer_skipped_offsets_total{') &&
            l.includes(`group="${names.group}"`) &&
            l.includes(`partition="${p.partition}"`),
        );
      expect(series?.split(' ').at(-1)).toBe(String(low - 20));

      // Nothing after the gap is consumed: the commit stays at 20 while the service waits.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await committedTotal()).toBe(20);
      expect(await checkHealth(address)).toBe('NOT_SERVING');
    } finally {
      await second?.stop();
      await first.stop();
    }
  });
});
