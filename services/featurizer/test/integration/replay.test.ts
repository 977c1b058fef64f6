import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import type { ClickHouse } from '@omen/clickhouse';
import { avroSchema } from '@omen/contracts';
import { featureNames, jitChangeMetricsV1 } from '@omen/features';
import { DLQ_HEADERS } from '@omen/kafka';
import { createTestProducer, randomName, readTopic, stackEnv, waitFor } from '@omen/testing';
import { RedisOnlineStore } from '../../src/adapters/redis-online-store.ts';
import { EXPRESS_REPO, expressPath, readExpressRaw, toCommitEvent } from '../helpers/express.ts';
import { spawnFeaturizer } from '../helpers/featurizer-process.ts';
import type { FeaturizerProcess } from '../helpers/featurizer-process.ts';
import { featurizerEnv, featurizerNames } from '../helpers/names.ts';

// Replays the whole express history through Kafka into a featurizer process, SIGKILLs it in the
// middle, restarts it, and checks ClickHouse holds every commit exactly once with the metrics of
// an uninterrupted, independent computation.
const here = dirname(fileURLToPath(import.meta.url));
const env = stackEnv();
const database = randomName('fztest').replace(/-/g, '_');
const names = featurizerNames();
let admin: ClickHouse;
let ch: ClickHouse;
let redis: Redis;
const processes: FeaturizerProcess[] = [];

beforeAll(async () => {
  admin = createClickHouse({ url: env.CLICKHOUSE_URL });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  ch = createClickHouse({ url: env.CLICKHOUSE_URL, database });
  redis = new Redis(env.REDIS_URL);
});
afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  for (const prefix of [names.state, names.online]) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
  await admin.close();
  await ch.close();
});

function start(): FeaturizerProcess {
  const p = spawnFeaturizer({
    ...env,
    ...featurizerEnv(names, database),
    FEATURIZER_BATCH_SIZE: '100',
    FEATURIZER_CODE_METRICS: 'false',
  });
  processes.push(p);
  return p;
}

const count = async (what: string): Promise<number> => {
  const [row] = await ch.query<{ n: string }>(
    what === 'rows'
      ? sql`SELECT count() AS n FROM commit_features WHERE feature_set = 'jit_change_metrics'`
      : sql`SELECT uniqExact(sha) AS n FROM commit_features WHERE feature_set = 'jit_change_metrics'`,
  );
  return Number(row?.n ?? 0);
};

describe('replaying express-commits through a featurizer that is SIGKILLed mid-way', () => {
  it('stores every commit exactly once with the metrics of an uninterrupted independent run, and dead-letters bad records', async () => {
    const { order, metrics: reference } = JSON.parse(
      execFileSync('python3', [resolve(here, '../reference/kamei_reference.py'), expressPath()], {
        maxBuffer: 64 << 20,
        encoding: 'utf8',
      }),
    ) as { order: string[]; metrics: Record<string, Record<string, number>> };
    // In the canonical order, as ingest's backfill publishes the export.
    const bySha = new Map(readExpressRaw().map((r) => [r.sha, r]));
    const raw = order.map((sha) => bySha.get(sha)!);
    const producer = await createTestProducer(onTestFinished, { schemas: { [names.commits]: avroSchema('commit') } });
    const events = raw.map((r) => toCommitEvent(r));
    // Two bad records in the stream: bytes that are not Avro, and a commit with an invalid sha.
    const bad = { ...events[10]!, sha: 'not-a-sha', event_id: `${EXPRESS_REPO}:bad` };
    for (let i = 0; i < events.length; i += 500) {
      if (i === 1000) {
        await producer.sendRaw(names.commits, [{ key: EXPRESS_REPO, value: Buffer.from('garbage, not avro') }]);
        await producer.send(names.commits, [{ key: EXPRESS_REPO, value: bad, eventId: bad.event_id }]);
      }
      await producer.send(
        names.commits,
        events
          .slice(i, i + 500)
          .map((e) => ({ key: EXPRESS_REPO, value: e, eventId: e['event_id'] as string, eventTime: e.commit_time })),
      );
    }

    const first = start();
    const atKill = await waitFor(
      async () => {
        const n = await count('rows').catch(() => 0);
        return n >= 1500 ? n : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 50, message: 'the first featurizer to store 1500 commits' },
    );
    await first.kill('SIGKILL');
    expect(atKill).toBeLessThan(raw.length);

    start();
    await waitFor(async () => ((await count('uniq').catch(() => 0)) === raw.length ? true : undefined), {
      timeoutMs: 240_000,
      intervalMs: 250,
      message: 'all commits in ClickHouse',
    });

    // Exactly once as queries see it (FINAL), whatever duplicates the redelivery inserted.
    const [final] = await ch.query<{ rows: string; shas: string }>(
      sql`SELECT count() AS rows, uniqExact(sha) AS shas FROM commit_features FINAL WHERE feature_set = 'jit_change_metrics'`,
    );
    expect(Number(final!.rows)).toBe(raw.length);
    expect(Number(final!.shas)).toBe(raw.length);

    const cols = featureNames(jitChangeMetricsV1);
    const rows = await ch.query<Record<string, number | string>>(sql`SELECT * FROM features_jit_change_metrics_v1`);
    expect(rows).toHaveLength(raw.length);
    const mismatches: string[] = [];
    for (const row of rows) {
      const want = reference[row['sha'] as string]!;
      for (const c of cols) {
        const got = Number(row[c]);
        if (Math.abs(got - want[c]!) > 1e-9 * Math.max(1, Math.abs(want[c]!)))
          mismatches.push(`${row['sha'] as string} ${c}: ${got} vs ${want[c]}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);

    // The online store serves the same values.
    const sample = raw[raw.length - 1]!.sha;
    const online = await new RedisOnlineStore(redis, { prefix: names.online }).read(
      EXPRESS_REPO,
      sample,
      jitChangeMetricsV1,
    );
    expect(online?.values).toEqual(reference[sample]);

    const dlq = await readTopic(`${names.commits}.dlq.${names.group}`, { until: 2, timeoutMs: 20_000 });
    expect(dlq).toHaveLength(2);
    const reasons = dlq.map((r) => r.headers[DLQ_HEADERS.errorMessage] ?? '');
    expect(reasons.some((m) => /sha must be 40 or 64 lower-case hex/.test(m))).toBe(true);
    expect(dlq.map((r) => r.headers[DLQ_HEADERS.errorCode])).toContain('INVALID_ARGUMENT');
  }, 420_000);
});
