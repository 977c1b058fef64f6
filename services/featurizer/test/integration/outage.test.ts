import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import type { ClickHouse } from '@omen/clickhouse';
import { avroSchema } from '@omen/contracts';
import { featureNames, jitChangeMetricsV1 } from '@omen/features';
import { createTestKafka, createTestProducer, randomName, stackEnv, waitFor } from '@omen/testing';
import { runFeaturizer } from '../../src/app.ts';
import { EXPRESS_REPO, expressPath, readExpressRaw, toCommitEvent } from '../helpers/express.ts';
import { startProxy } from '../helpers/proxy.ts';
import type { Outage } from '../helpers/proxy.ts';

// ClickHouse, then Redis, go away for 30 s each while commits keep arriving: the featurizer must
// stop taking records (no offsets committed, nothing buffered), resume on its own, and lose nothing.
const here = dirname(fileURLToPath(import.meta.url));
const env = stackEnv();
const database = randomName('fzoutage').replace(/-/g, '_');
const names = {
  commits: randomName('commits'),
  group: randomName('featurizer'),
  state: randomName('fzstate'),
  online: randomName('fzonline'),
};
const OUTAGE_MS = 30_000;
let admin: ClickHouse;
let ch: ClickHouse;
let redis: Redis;
let chProxy: Outage;
let redisProxy: Outage;
let featurizer: Awaited<ReturnType<typeof runFeaturizer>> | undefined;

beforeAll(async () => {
  admin = createClickHouse({ url: env.CLICKHOUSE_URL });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  ch = createClickHouse({ url: env.CLICKHOUSE_URL, database });
  redis = new Redis(env.REDIS_URL);
  const chUrl = new URL(env.CLICKHOUSE_URL);
  const redisUrl = new URL(env.REDIS_URL);
  chProxy = await startProxy(chUrl.hostname, Number(chUrl.port));
  redisProxy = await startProxy(redisUrl.hostname, Number(redisUrl.port));
});
afterAll(async () => {
  await featurizer?.stop();
  await chProxy.close();
  await redisProxy.close();
  await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  for (const prefix of [names.state, names.online]) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
  await admin.close();
  await ch.close();
});

const stored = async (): Promise<number> => {
  const [row] = await ch.query<{ n: string }>(
    sql`SELECT uniqExact(sha) AS n FROM commit_features WHERE feature_set = 'jit_change_metrics'`,
  );
  return Number(row?.n ?? 0);
};

async function gauge(dependency: string): Promise<number | undefined> {
  const text = await (await fetch(`${featurizer!.metricsUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('omen_featurizer_dependency_unavailable{') && l.includes(`dependency="${dependency}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('a sink outage', () => {
  it('pauses the stream without committing or buffering, resumes, and loses nothing', async () => {
    const { order, metrics: reference } = JSON.parse(
      execFileSync('python3', [resolve(here, '../reference/kamei_reference.py'), expressPath()], {
        maxBuffer: 64 << 20,
        encoding: 'utf8',
      }),
    ) as { order: string[]; metrics: Record<string, Record<string, number>> };
    // The first 2,500 commits in the canonical order (as ingest's backfill publishes them): each
    // one's history metrics depend only on the commits before it, so the full reference applies.
    const bySha = new Map(readExpressRaw().map((r) => [r.sha, r]));
    const raw = order.slice(0, 2500).map((sha) => bySha.get(sha)!);
    const events = raw.map((r) => toCommitEvent(r));
    const producer = await createTestProducer(onTestFinished, { schemas: { [names.commits]: avroSchema('commit') } });
    const send = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i += 500) {
        await producer.send(
          names.commits,
          events
            .slice(i, Math.min(to, i + 500))
            .map((e) => ({ key: EXPRESS_REPO, value: e, eventId: e['event_id'] as string })),
        );
      }
    };
    await send(0, 2000);
    featurizer = await runFeaturizer({
      ownProcess: false,
      env: {
        ...env,
        LOG_LEVEL: 'error',
        CLICKHOUSE_URL: `http://127.0.0.1:${chProxy.port}`,
        REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
        CLICKHOUSE_DATABASE: database,
        GRPC_PORT: '0',
        METRICS_PORT: '0',
        FEATURIZER_GROUP: names.group,
        FEATURIZER_TOPIC_COMMITS: names.commits,
        FEATURIZER_TOPIC_ISSUES: randomName('issues'),
        FEATURIZER_TOPIC_FEATURES: randomName('features'),
        FEATURIZER_TOPIC_LABELS: randomName('labels'),
        FEATURIZER_STATE_PREFIX: names.state,
        FEATURIZER_ONLINE_PREFIX: names.online,
        FEATURIZER_BATCH_SIZE: '100',
        FEATURIZER_CODE_METRICS: 'false',
      },
    });
    await featurizer.ready;
    const kafka = createTestKafka(onTestFinished);
    const lag = (): Promise<{ partition: number; committed: string; lag: number }[]> =>
      kafka.consumerLag(names.group, [names.commits]);
    const committed = async (): Promise<string> => (await lag()).map((p) => `${p.partition}:${p.committed}`).join(',');

    for (const [outage, dependency, more] of [
      [chProxy, 'clickhouse', 2000],
      [redisProxy, 'redis', 2500],
    ] as const) {
      const before = await stored();
      await waitFor(async () => (await stored()) > before + 200 || (await stored()) === raw.length, {
        timeoutMs: 120_000,
        message: 'progress before the outage',
      });
      await outage.down();
      await waitFor(async () => (await gauge(dependency)) === 1, {
        timeoutMs: 30_000,
        message: `the ${dependency} outage to be noticed`,
      });
      const offsetsAtStart = await committed();
      const heapAtStart = process.memoryUsage().heapUsed;
      await send(2000, more); // commits keep arriving (the second outage adds 500)
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      expect(await committed(), `offsets committed while ${dependency} was down`).toBe(offsetsAtStart);
      expect(offsetsAtStart).toMatch(/\d+:\d+/);
      expect(
        (await lag()).reduce((s, p) => s + p.lag, 0),
        'records waiting in Kafka, not in memory',
      ).toBeGreaterThan(0);
      // Nothing is fetched ahead while paused; 64 MiB is far below what buffering the topic would take.
      expect(process.memoryUsage().heapUsed - heapAtStart).toBeLessThan(64 * 1024 * 1024);
      await outage.up();
      await waitFor(async () => (await gauge(dependency)) === 0, {
        timeoutMs: 60_000,
        message: `the featurizer to resume after ${dependency}`,
      });
    }
    await waitFor(async () => (await stored()) === raw.length, { timeoutMs: 120_000, message: 'every commit stored' });

    const rows = await ch.query<Record<string, number | string>>(sql`SELECT * FROM features_jit_change_metrics_v1`);
    expect(rows).toHaveLength(raw.length);
    const bad = rows.filter((row) =>
      featureNames(jitChangeMetricsV1).some(
        (c) =>
          Math.abs(Number(row[c]) - reference[row['sha'] as string]![c]!) >
          1e-9 * Math.max(1, Math.abs(reference[row['sha'] as string]![c]!)),
      ),
    );
    expect(bad.map((r) => r['sha'])).toEqual([]);
  }, 400_000);
});
