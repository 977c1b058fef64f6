import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { connect } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { allTopics, loadTopicManifest } from '@omen/topics';
import { modeEngineNames, readStackEnv, repoRoot, stackStatus, type StackEnvKey } from '@omen/stack';

// Runs against the stack `./scripts/omen stack up` started (or the external engines the
// environment names); it never starts or stops engines itself, as others' tests share them.
const env = readStackEnv();

function need(key: StackEnvKey): string {
  const value = env[key];
  if (!value)
    throw new Error(`${key} is neither in the environment nor in .omen/stack.env: run ./scripts/omen stack up`);
  return value;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((c) => c()));
});

describe('the running stack', () => {
  it('reports every engine running, external, or skipped with a reason', async () => {
    const status = await stackStatus();
    // `stack up --cluster` replaces engines by their clustered forms; status reports that mode.
    expect(status.engines.map((e) => e.name)).toEqual(
      status.cluster
        ? modeEngineNames(true)
        : ['kafka', 'schema-registry', 'clickhouse', 'redis', 'nats', 'prometheus'],
    );
    for (const e of status.engines) {
      expect(['running', 'external', 'skipped'], `${e.name}: ${e.state} ${e.detail ?? ''}`).toContain(e.state);
      if (e.state === 'skipped') expect(e.detail).toBeTruthy();
      else expect(e.address).toBeTruthy();
    }
  });

  it('ClickHouse answers SELECT 1', async () => {
    const client = createClient({ url: need('CLICKHOUSE_URL') });
    cleanups.push(() => client.close());
    const rows = await (
      await client.query({ query: 'SELECT 1 AS one, version() AS v', format: 'JSONEachRow' })
    ).json<{ one: number; v: string }>();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.one).toBe(1);
    expect(rows[0]?.v).toMatch(/^\d+\.\d+/);
  });

  it('Redis answers PING and keeps a value', async () => {
    const redis = new Redis(need('REDIS_URL'), { lazyConnect: true, maxRetriesPerRequest: 1 });
    cleanups.push(() => Promise.resolve(redis.disconnect()));
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    const key = `omen:stack-test:${process.pid}:${Date.now()}`;
    await redis.set(key, 'v', 'EX', 60);
    expect(await redis.get(key)).toBe('v');
    await redis.del(key);
  });

  it('NATS accepts a connection and has JetStream enabled', async () => {
    const nc = await connect({ servers: need('NATS_URL'), timeout: 5000 });
    cleanups.push(() => nc.close());
    const info = await (await nc.jetstreamManager()).getAccountInfo();
    expect(info.limits).toBeDefined();
    expect(typeof info.streams).toBe('number');
  });

  // Skipped only while the registry's entry point is not written yet; once it exists, stack up
  // starts it and this must pass.
  const registryMain = join(repoRoot(), 'packages/schema-registry/src/main.ts');
  it.skipIf(!env.SCHEMA_REGISTRY_URL && !existsSync(registryMain))(
    'the schema registry lists its subjects',
    async () => {
      const res = await fetch(new URL('/subjects', need('SCHEMA_REGISTRY_URL')));
      expect(res.status).toBe(200);
      expect(Array.isArray(await res.json())).toBe(true);
    },
  );

  it('Kafka metadata lists every manifest topic, dead-letter topics included, with its partition count', async () => {
    const kafka = new Kafka({
      clientId: 'stack-test',
      brokers: need('KAFKA_BROKERS').split(','),
      logLevel: logLevel.ERROR,
    });
    const admin = kafka.admin();
    cleanups.push(() => admin.disconnect());
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    const have = new Map(topics.map((t) => [t.name, t.partitions.length]));
    const want = allTopics(loadTopicManifest());
    expect(want.length).toBeGreaterThan(8);
    expect(Object.fromEntries(want.map((t) => [t.name, have.get(t.name)]))).toEqual(
      Object.fromEntries(want.map((t) => [t.name, t.partitions])),
    );
  });
});
