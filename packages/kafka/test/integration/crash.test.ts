import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema } from '@omen/contracts';
import { createTestKafka, createTestProducer, randomName, stackEnv, waitFor } from '@omen/testing';
import { commit } from '../fixtures/commits.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/slow-consumer.ts', import.meta.url));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startConsumer(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (code) process.stderr.write(`slow-consumer exited ${code}: ${stderr}\n`);
      resolve({ code, signal });
    }),
  );
  return { child, exited };
}

describe('a consumer process killed mid-batch', () => {
  it('loses nothing, and its successor re-delivers what was processed but not committed', async () => {
    const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, REDIS_URL } = stackEnv(
      'KAFKA_BROKERS',
      'SCHEMA_REGISTRY_URL',
      'REDIS_URL',
    );
    const topic = randomName('crash');
    const group = randomName('crash');
    const sinkKey = randomName('sink');
    const redis = new Redis(REDIS_URL);
    onTestFinished(async () => {
      await redis.del(`${sinkKey}:ids`, `${sinkKey}:deliveries`);
      await redis.quit();
    });

    const total = 30;
    const repo = `github:omen/${randomName('repo')}`;
    const commits = Array.from({ length: total }, (_, n) => commit(repo, n));
    const kafka = createTestKafka(onTestFinished);
    const producer = await createTestProducer(onTestFinished, { kafka, schemas: { [topic]: avroSchema('commit') } });
    // One send, one key: a single record batch on one partition, fetched as one kafkajs batch,
    // whose offsets the consumer commits only at its end.
    await producer.send(
      topic,
      commits.map((c) => ({ key: repo, value: c, eventId: c.event_id })),
    );

    const env = {
      KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL,
      REDIS_URL,
      TOPIC: topic,
      GROUP: group,
      SINK_KEY: sinkKey,
      DELAY_MS: '150',
    };
    const first = startConsumer(env);
    await waitFor(async () => (await redis.scard(`${sinkKey}:ids`)) >= 5, {
      timeoutMs: 45_000,
      message: 'the first consumer to process 5 records',
    });
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const processedBeforeKill = await redis.smembers(`${sinkKey}:ids`);
    expect(processedBeforeKill.length).toBeLessThan(total);
    const [lagAfterKill] = await kafka
      .consumerLag(group, [topic])
      .then((all) => all.filter((p) => p.highWatermark !== '0'));
    // The committed offset trails what the sink already holds: the kill lost the commit, not data.
    expect(BigInt(lagAfterKill!.committed)).toBeLessThan(BigInt(processedBeforeKill.length));

    const second = startConsumer(env);
    await waitFor(async () => (await redis.scard(`${sinkKey}:ids`)) === total, {
      timeoutMs: 60_000,
      message: `all ${total} records in the sink`,
    });
    second.child.kill('SIGTERM');
    // Graceful stop: finishes the record in flight, commits, leaves the group, exits 0.
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const ids = await redis.smembers(`${sinkKey}:ids`);
    expect(ids.sort()).toEqual(commits.map((c) => c.event_id).sort());
    const deliveries = await redis.lrange(`${sinkKey}:deliveries`, 0, -1);
    const redelivered = processedBeforeKill.filter((id) => deliveries.filter((d) => d === id).length > 1);
    expect(redelivered.length).toBeGreaterThan(0);
    expect(deliveries.length).toBeGreaterThan(total);

    const lag = await kafka.consumerLag(group, [topic]);
    expect(lag.reduce((sum, p) => sum + p.lag, 0)).toBe(0);
  });
});
