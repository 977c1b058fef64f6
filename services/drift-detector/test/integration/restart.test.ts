// A detector killed (SIGKILL) while a window is open must lose none of its records: they stay
// uncommitted until the window is reported, so the next process rebuilds the window from the
// redelivery and reports every record once. And a window reported before a crash must not be
// reported again from the few of its records a restart replays.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { avroSchema, avroType, type CommitFeatures, type DriftReport } from '@omen/contracts';
import { LocalModelRegistry } from '@omen/model-registry';
import { createTestKafka, createTestProducer, freePort, randomName, readTopic, stackEnv, waitFor } from '@omen/testing';
import { normal, referenceStats, rng } from '../helpers/reference.ts';
import { randomTopics } from '../helpers/service.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/detector-process.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL');
const MODEL = randomName('jit-restart');
const REPO = 'github:acme/restart';
const WINDOW = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % WINDOW);
const topics = randomTopics();
const table = `drift_${randomName('t').replace(/-/g, '_')}`;
const group = randomName('drift-detector');
const ch = createClickHouse({ url: env.CLICKHOUSE_URL });
const random = rng(7);
let registryDir: string;

function record(i: number, t: number): CommitFeatures {
  const sha = i.toString(16).padStart(40, '0');
  return {
    event_id: `${REPO}:${sha}:jit_change_metrics:1`,
    event_time: t,
    repo_id: REPO,
    sha,
    feature_set: 'jit_change_metrics',
    feature_set_version: 1,
    values: { la: normal(random, 10, 2) },
    file_metrics: null,
    computed_at: t + 1000,
  };
}

interface Detector {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** omen_drift_records_total of the features topic for an outcome, as this process counted it. */
  counted: (outcome: string) => Promise<number>;
}

async function startDetector(): Promise<Detector> {
  const metricsPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: {
      ...process.env,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
      DRIFT_REGISTRY_DIR: registryDir,
      DRIFT_REGISTRY_POLL: '0',
      DRIFT_MODELS: MODEL,
      DRIFT_WINDOW: '1m',
      DRIFT_ALLOWED_LATENESS: '10s',
      DRIFT_MIN_SAMPLES: '3',
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
      CLICKHOUSE_URL: env.CLICKHOUSE_URL,
      DRIFT_TABLE: table,
      DRIFT_GROUP: group,
      DRIFT_TOPIC_FEATURES: topics.features,
      DRIFT_TOPIC_PREDICTIONS: topics.predictions,
      DRIFT_TOPIC_LABELS: topics.labels,
      DRIFT_TOPIC_REPORTS: topics.reports,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (code) process.stderr.write(`drift-detector exited ${code}: ${stderr}\n`);
      resolve({ code, signal });
    }),
  );
  const counted = async (outcome: string): Promise<number> => {
    const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('omen_drift_records_total{') &&
          l.includes(`topic="${topics.features}"`) &&
          l.includes(`outcome="${outcome}"`),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  return { child, exited, counted };
}

async function kill(d: Detector): Promise<void> {
  d.child.kill('SIGKILL');
  expect((await d.exited).signal).toBe('SIGKILL');
}

const reports = async (until: number) =>
  (await readTopic(topics.reports, { until, timeoutMs: 60_000 })).map(
    (r) => avroType('drift_report').fromBuffer(r.value!.subarray(5)) as DriftReport,
  );

beforeAll(async () => {
  registryDir = await mkdtemp(path.join(os.tmpdir(), 'drift-registry-'));
  cleanup(() => rm(registryDir, { recursive: true, force: true }));
  const registry = new LocalModelRegistry(registryDir);
  const stats = referenceStats(
    { la: { sample: Array.from({ length: 3000 }, () => normal(random, 10, 2)) } },
    Array.from({ length: 3000 }, () => random()),
    0.2,
  );
  await registry.register({
    name: MODEL,
    version: 'v1',
    bytes: new Uint8Array([1]),
    featureSet: { name: 'jit_change_metrics', version: 1 },
    referenceStats: stats,
  });
  await registry.setAlias(MODEL, 'champion', 'v1');
  cleanup(async () => {
    await ch.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
    await ch.close();
  });
});

describe('drift-detector killed with a window open', () => {
  it('rebuilds the window from the redelivered records after a restart and reports each record once', async () => {
    const kafka = createTestKafka(cleanup);
    const producer = await createTestProducer(cleanup, {
      kafka,
      schemas: { [topics.features]: avroSchema('commit_features') },
    });
    const send = (rs: CommitFeatures[]) =>
      producer.send(
        topics.features,
        rs.map((r) => ({ key: r.repo_id, value: r, eventId: r.event_id, eventTime: r.event_time })),
      );
    const committed = async () =>
      (await kafka.consumerLag(group, [topics.features])).reduce((sum, p) => sum + Math.max(0, Number(p.committed)), 0);

    const window1 = Array.from({ length: 300 }, (_, i) => record(i, T0 + i * 100));
    await send(window1);
    const first = await startDetector();
    await waitFor(async () => (await first.counted('added')) === window1.length || undefined, {
      message: 'the first detector to count the window',
      timeoutMs: 60_000,
    });
    // Counted, but the window is open: nothing of it may be committed.
    expect(await committed()).toBe(0);
    await kill(first);

    const second = await startDetector();
    await waitFor(async () => (await second.counted('added')) === window1.length || undefined, {
      message: 'the restarted detector to count the redelivered window',
      timeoutMs: 60_000,
    });
    // Within the lateness of window 1: a record of window 2, then 5 more of window 1, then one
    // that closes window 1 (the commit point stays at the first window-2 record).
    const opener = record(1000, T0 + WINDOW + 1000);
    const stragglers = Array.from({ length: 5 }, (_, i) => record(2000 + i, T0 + 50_000 + i));
    const closer = record(3000, T0 + WINDOW + 20_000);
    await send([opener, ...stragglers, closer]);

    // One test for la (psi, js, ks, wasserstein) × (repo, "*"): 8 records, each counting every record once.
    const out = await reports(8);
    expect(out).toHaveLength(8);
    for (const r of out) {
      expect(r.window_end).toBe(T0 + WINDOW);
      expect(r.sample_size).toBe(window1.length + stragglers.length);
    }
    // The reported window's records are committed (by the deferred-ack timer: no later batch
    // came); the open window's first record holds the commit point.
    await waitFor(async () => (await committed()) === window1.length || undefined, {
      message: 'window 1 committed up to the open window',
      timeoutMs: 30_000,
    });

    // Killed again: the replay from the open window's record brings the 5 stragglers of the
    // reported window back. They must count as late, not rebuild window 1 from 5 records.
    await kill(second);
    const third = await startDetector();
    await waitFor(async () => (await third.counted('late')) === stragglers.length || undefined, {
      message: 'the stragglers replayed as late',
      timeoutMs: 60_000,
    });
    expect(await third.counted('added')).toBe(2);
    const rows = await ch.query<{ n: string; s: string }>(
      sql`SELECT count() AS n, min(sample_size) AS s FROM ${ident(table)} FINAL WHERE window_end_ms = ${T0 + WINDOW}`,
    );
    expect(rows.map((r) => [Number(r.n), Number(r.s)])).toEqual([[8, window1.length + stragglers.length]]);
    third.child.kill('SIGTERM');
    expect(await third.exited).toEqual({ code: 0, signal: null });
    // Nothing more on the topic either (a few seconds to show up if it were there).
    expect(await readTopic(topics.reports, { timeoutMs: 5000 })).toHaveLength(8);
  }, 300_000);
});
