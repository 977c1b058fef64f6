import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { repoRoot, startPrivateBroker } from '@omen/stack';

// What the dev broker keeps and what it does when a partition is full (packages/stack/native/
// README.md), on brokers of the test's own so the limits can be tiny. kafkajs directly: this is
// about the broker, not our client.
const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);
const KIB = 1024;

async function clients(brokers: string): Promise<{ kafka: Kafka; admin: Admin; producer: Producer }> {
  // No client retries: a refused produce must surface here instead of being retried away.
  const kafka = new Kafka({
    clientId: 'full-partition-test',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ retry: { retries: 0 } });
  await Promise.all([admin.connect(), producer.connect()]);
  cleanup(async () => {
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  });
  return { kafka, admin, producer };
}

async function watermarks(admin: Admin, topic: string): Promise<{ low: number; high: number }> {
  const [p] = await admin.fetchTopicOffsets(topic);
  return { low: Number(p!.low), high: Number(p!.high) };
}

async function waitFor<T>(probe: () => T | false | undefined, message: string): Promise<T> {
  for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 50))) {
    const value = probe();
    if (value !== false && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
  }
}

/** The broker's error code under kafkajs' retry wrapper. */
function brokerError(err: unknown): string | undefined {
  const e = err as { type?: string; cause?: { type?: string } };
  return e.cause?.type ?? e.type;
}

/** Sends 1 KiB records one request each until the broker refuses one; returns how many it took and the broker's error. */
async function fillUp(
  producer: Producer,
  topic: string,
  max: number,
): Promise<{ accepted: number; error: string | undefined }> {
  for (let i = 0; i < max; i++) {
    try {
      await producer.send({ topic, messages: [{ key: 'r', value: Buffer.alloc(KIB, i % 256) }] });
    } catch (err) {
      return { accepted: i, error: brokerError(err) };
    }
  }
  throw new Error(`the broker took ${max} records without refusing one`);
}

async function commit(kafka: Kafka, group: string, topic: string, offset: number): Promise<void> {
  // A member that joins, commits and leaves: the way a consumer group records its position.
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.run({ autoCommit: false, eachBatch: async () => {} });
    await waitFor(() => joined, `${group} to join`);
    await consumer.commitOffsets([{ topic, partition: 0, offset: String(offset) }]);
  } finally {
    await consumer.disconnect();
  }
}

/** A broker of the test's own in the default `refuse` mode, its one-partition topic filled until a produce is refused. */
async function fullPartition(maxBytes: number, topic: string, groups: string) {
  const broker = await startPrivateBroker(cleanup, {
    env: { OMEN_KAFKA_PARTITION_MAX_BYTES: String(maxBytes) },
    topicLines: `${topic} 1 ${groups}\n`,
  });
  const { kafka, admin, producer } = await clients(broker.brokers);
  const { accepted, error } = await fillUp(producer, topic, 1000);
  expect(error).toBe('KAFKA_STORAGE_ERROR');
  return { broker, kafka, admin, producer, accepted };
}

describe('a full partition on the dev broker', () => {
  it('by default refuses produces (KAFKA_STORAGE_ERROR) instead of deleting what the manifest group has not committed, and deletes only what it has', async () => {
    const { broker, kafka, admin, producer, accepted } = await fullPartition(64 * KIB, 'kept.v1', 'g-kept');
    // Roughly 64 KiB of 1 KiB records (each batch carries ~70 bytes of framing), none deleted.
    expect(accepted).toBeGreaterThan(40);
    expect(accepted).toBeLessThan(64);
    expect(await watermarks(admin, 'kept.v1')).toEqual({ low: 0, high: accepted });
    await waitFor(() => broker.stderr().includes('not committed by group g-kept'), 'the broker to say why it is full');

    // Another group's commit frees nothing: only the manifest's group counts.
    await commit(kafka, 'g-other', 'kept.v1', accepted);
    expect(
      brokerError(
        await producer
          .send({ topic: 'kept.v1', messages: [{ value: Buffer.alloc(KIB) }] })
          .catch((err: unknown) => err),
      ),
    ).toBe('KAFKA_STORAGE_ERROR');

    // Once g-kept committed half, the broker makes room from what it read, never past it.
    const half = Math.floor(accepted / 2);
    await commit(kafka, 'g-kept', 'kept.v1', half);
    const more = await fillUp(producer, 'kept.v1', 1000);
    expect(more.error).toBe('KAFKA_STORAGE_ERROR');
    expect(more.accepted).toBeGreaterThan(0);
    const after = await watermarks(admin, 'kept.v1');
    expect(after.high).toBe(accepted + more.accepted);
    expect(after.low).toBeGreaterThan(0);
    expect(after.low).toBeLessThanOrEqual(half);
  });

  it('keeps everything on a topic no manifest group reads (a dead-letter topic): full means refused', async () => {
    const { broker, kafka, admin, producer, accepted } = await fullPartition(16 * KIB, 'x.v1.dlq.g', '-');
    await commit(kafka, 'g', 'x.v1.dlq.g', accepted);
    expect(
      brokerError(
        await producer
          .send({ topic: 'x.v1.dlq.g', messages: [{ value: Buffer.alloc(KIB) }] })
          .catch((err: unknown) => err),
      ),
    ).toBe('KAFKA_STORAGE_ERROR');
    expect(await watermarks(admin, 'x.v1.dlq.g')).toEqual({ low: 0, high: accepted });
    await waitFor(
      () => broker.stderr().includes('no consumer group is named for the topic, so nothing is deleted'),
      'the broker to say why it is full',
    );
  });

  it("with OMEN_KAFKA_WHEN_FULL=delete-oldest deletes the oldest records whoever read them, like a real Kafka's retention.bytes, and says so", async () => {
    const broker = await startPrivateBroker(cleanup, {
      env: { OMEN_KAFKA_PARTITION_MAX_BYTES: String(16 * KIB), OMEN_KAFKA_WHEN_FULL: 'delete-oldest' },
      topicLines: 'lossy.v1 1 g\n',
    });
    const { admin, producer } = await clients(broker.brokers);
    for (let i = 0; i < 60; i++) await producer.send({ topic: 'lossy.v1', messages: [{ value: Buffer.alloc(KIB) }] });
    const { low, high } = await watermarks(admin, 'lossy.v1');
    expect(high).toBe(60);
    expect(low).toBeGreaterThan(40);
    await waitFor(
      () => broker.stderr().includes('deleting offsets 0..0 whoever read them'),
      'the broker to say what it deletes',
    );
  });

  it('with the default limits keeps the whole express history with hunks on one partition while nobody consumes', async () => {
    const bundle = resolve(repoRoot(), '../shared/data/express.bundle');
    expect(existsSync(bundle), `${bundle} (the project's real data) is missing`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'omen-express-'));
    cleanup(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    execFileSync('git', ['clone', '--quiet', bundle, dir], { stdio: 'ignore' });
    // Each commit as git shows it with its full diff (3 lines of context, so larger than the
    // zero-context hunks our events carry), merges against their first parent: at least the
    // bytes ingest publishes for this history.
    const log = execFileSync(
      'git',
      [
        '-C',
        dir,
        'log',
        '--all',
        '--reverse',
        '-p',
        '--diff-merges=first-parent',
        '--format=%x00%H%n%an <%ae>%n%at%n%B',
      ],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    const commits = log.toString('utf8').split('\0').slice(1);
    expect(commits).toHaveLength(6158);
    const bytes = commits.reduce((sum, c) => sum + Buffer.byteLength(c), 0);
    // Three times what the mock cluster kept before (5 MiB): this load lost commits there.
    expect(bytes).toBeGreaterThan(15 * 1024 * KIB);

    const broker = await startPrivateBroker(cleanup, { topicLines: 'scm.commits.v1 1 featurizer\n' });
    const { admin, producer } = await clients(broker.brokers);
    for (let i = 0; i < commits.length; i += 100) {
      await producer.send({
        topic: 'scm.commits.v1',
        messages: commits.slice(i, i + 100).map((value) => ({ key: 'expressjs/express', value })),
      });
    }
    expect(await watermarks(admin, 'scm.commits.v1')).toEqual({ low: 0, high: 6158 });
  });
});
