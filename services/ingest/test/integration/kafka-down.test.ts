import { describe, expect, it, onTestFinished } from 'vitest';
import { randomName, readTopic, startPrivateBroker, waitFor } from '@omen/testing';
import { decodeCommit, startTestIngest } from '../helpers/app.ts';

const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);
const sha = (n: number): string => n.toString(16).padStart(40, 'c');

function push(repo: string, id: string): Record<string, unknown> {
  return {
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: id,
    repository: { full_name: repo },
    commits: [
      {
        id,
        message: 'm',
        timestamp: '2024-01-01T00:00:00Z',
        author: { email: 'a@b.c' },
        committer: { email: 'a@b.c' },
        added: ['f'],
        removed: [],
        modified: [],
      },
    ],
  };
}

describe('Kafka down', () => {
  it('answers 503 with Retry-After, never 202, and a later delivery of the same event is published', async () => {
    const broker = await startPrivateBroker(cleanup);
    // Both ingests share one dedup window, as replicas behind a load balancer would.
    const namespace = `${randomName('down')}:`;
    const down = await startTestIngest(cleanup, {
      env: { KAFKA_BROKERS: broker.brokers, INGEST_PUBLISH_TIMEOUT: '3s', INGEST_DEDUP_NAMESPACE: namespace },
    });
    // Proves the private broker works before taking it away.
    expect((await down.github('push', push('Acme/Down', sha(1)))).status).toBe(202);

    broker.kill();
    const res = await down.github('push', push('Acme/Down', sha(2)), { delivery: 'kafka-down-1' });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });

    // The failed delivery left no "done" mark in the dedup window: redelivered to an ingest with
    // a working Kafka (same Redis), it is published.
    // Until the dead broker's send gives up (kafkajs retries), the claim stays pending and a
    // redelivery is answered 503 too; then it is released and the redelivery goes through.
    const up = await startTestIngest(cleanup, { env: { INGEST_DEDUP_NAMESPACE: namespace } });
    const redelivered = await waitFor(
      async () => {
        const r = await up.github('push', push('Acme/Down', sha(2)), { delivery: 'kafka-down-1' });
        if (r.status === 202) return r;
        expect(r.status).toBe(503);
        return false;
      },
      { timeoutMs: 40_000, intervalMs: 1000, message: 'the redelivery to be accepted' },
    );
    expect(await redelivered.json()).toMatchObject({ status: 'accepted', published: 1 });
    const [record] = await readTopic(up.topics.commits, { until: 1 });
    expect(decodeCommit(record!.value).sha).toBe(sha(2));
  });
});
