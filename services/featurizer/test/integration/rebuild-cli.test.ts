import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sql } from '@omen/clickhouse';
import { avroSchema } from '@omen/contracts';
import type { Commit } from '@omen/contracts';
import { featureNames, jitChangeMetricsV1 } from '@omen/features';
import { checkHealth } from '@omen/grpc';
import {
  createTestConsumer,
  createTestKafka,
  createTestProducer,
  freePort,
  randomName,
  stackEnv,
  startPrivateBroker,
  waitFor,
} from '@omen/testing';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { EXPRESS_REPO, readExpressRaw, toCommitEvent } from '../helpers/express.ts';
import { startInProcessFeaturizer } from '../helpers/in-process.ts';
import type { InProcessFeaturizer } from '../helpers/in-process.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
const ADMIN_TOKEN = 'rebuild-cli-admin-token-0123456789';
const cleanup = (fn: () => Promise<void>): void => onTestFinished(fn);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `./scripts/omen ARGS` as an operator runs it (the CLI's entry, without the bootstrap the stack already did). */
function omen(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'packages/cli/src/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', fail);
    child.once('exit', (code, signal) => done({ code: code ?? (signal ? 1 : 0), stdout, stderr }));
  });
}

/** Ingest as its own process (services/ingest/src/main.ts), publishing to the test's broker and topic. */
async function startIngestProcess(env: Record<string, string>): Promise<string> {
  const [grpcPort, metricsPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services/ingest/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanup(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
  const address = `127.0.0.1:${grpcPort}`;
  await waitFor(
    async () =>
      child.exitCode !== null
        ? Promise.reject(new Error(`ingest exited with ${child.exitCode}`))
        : (await checkHealth(address).catch(() => undefined)) === 'SERVING',
    {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: 'ingest SERVING',
    },
  );
  return address;
}

// The documented way back from a retention gap (README "When commits were lost"), the whole way
// an operator meets it: the featurizer stops at the gap (NOT_SERVING), the audit says so, `featurizer
// rebuild` refuses to pass the gap unasked, then with --accept-gap moves the featurizer past it
// over its admin RPC, rebuilds the repository through ingest, and ends with a passing audit; the
// features then equal an uninterrupted in-order pass.
describe('./scripts/omen featurizer rebuild after a retention gap', () => {
  it('goes from a stopped, NOT_SERVING featurizer to every commit featurized once with the in-order metrics', async () => {
    const N = 120;
    const raw = readExpressRaw().slice(0, N);
    // Another repository on the same (single) partition: what fills the log while the featurizer is down.
    const filler = readExpressRaw().slice(N, N + 2000);
    const FILLER_REPO = 'git:rebuild-filler';
    const dir = mkdtempSync(join(tmpdir(), 'omen-rebuild-'));
    cleanup(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const jsonl = (name: string, rows: readonly unknown[]): string => {
      const file = join(dir, name);
      writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      return file;
    };
    const history = jsonl('history.jsonl', raw);

    const topic = randomName('commits');
    const group = randomName('featurizer');
    // A partition of 256 KiB (the rebuild's 120 events fit, the filler does not) that deletes its
    // oldest records when full, as a real Kafka's retention does.
    const broker = await startPrivateBroker(cleanup, {
      env: { OMEN_KAFKA_WHEN_FULL: 'delete-oldest', OMEN_KAFKA_PARTITION_MAX_BYTES: String(256 * 1024) },
      topicLines: `${topic} 1 ${group}\n`,
    });
    const fzEnv = {
      KAFKA_BROKERS: broker.brokers,
      FEATURIZER_TOPIC_COMMITS: topic,
      FEATURIZER_GROUP: group,
      FEATURIZER_CODE_METRICS: 'false',
      ADMIN_TOKEN,
    };
    const first = await startInProcessFeaturizer('fzrebuild', fzEnv);
    let second: InProcessFeaturizer | undefined;
    try {
      const { names } = first;
      const database = (await first.ch.query<{ d: string }>(sql`SELECT currentDatabase() AS d`))[0]!.d;
      const stack = stackEnv('SCHEMA_REGISTRY_URL', 'REDIS_URL', 'CLICKHOUSE_URL');
      const ingest = await startIngestProcess({
        ...stack,
        KAFKA_BROKERS: broker.brokers,
        INGEST_TOPIC_COMMITS: topic,
        INGEST_TOPIC_ISSUES: names.issues,
        INGEST_TOPIC_PULL_REQUESTS: randomName('prs'),
        INGEST_PSEUDONYM_KEY: 'rebuild-cli-pseudonym-key-0123456789',
        INGEST_DEDUP_NAMESPACE: `${randomName('rebuild')}:`,
        ADMIN_TOKEN,
      });
      const cliEnv = {
        ...stack,
        KAFKA_BROKERS: broker.brokers,
        CLICKHOUSE_DATABASE: database,
        FEATURIZER_GROUP: group,
        FEATURIZER_TOPIC_COMMITS: topic,
        FEATURIZER_TOPIC_ISSUES: names.issues,
        FEATURIZER_STATE_PREFIX: names.state,
        ADMIN_TOKEN,
        INGEST_GRPC_ADDR: ingest,
      };
      const backfill = async (file: string, repo: string): Promise<void> => {
        const run = await omen(
          ['backfill', '--jsonl', file, '--repo', repo, '--checkpoint', join(dir, `${randomName('ckpt')}.json`)],
          cliEnv,
        );
        expect(run.code, run.stderr).toBe(0);
      };
      const stateCount = async (): Promise<number> =>
        Number(await first.redis.hlen(`${names.state}:{${EXPRESS_REPO}}:commit`));

      await backfill(jsonl('head.jsonl', raw.slice(0, 20)), EXPRESS_REPO);
      await waitFor(async () => (await stateCount()) === 20, {
        timeoutMs: 60_000,
        message: 'the first 20 commits featurized',
      });
      await first.featurizer.stop();

      // While it is down: commits 20..60, then another repository's 2,000 (far more than the
      // partition keeps), then 60..120, ten to a batch. Retention deletes 20..60 and the other
      // repository's oldest before anyone read them; 60..120 stay in the log, after the gap.
      const producer = await createTestProducer(cleanup, {
        kafka: createTestKafka(cleanup, { brokers: broker.brokers }),
        schemas: { [topic]: avroSchema('commit') },
      });
      const send = async (rows: typeof raw, repo: string): Promise<void> => {
        for (let i = 0; i < rows.length; i += 10)
          await producer.send(
            topic,
            rows.slice(i, i + 10).map((r) => ({ key: EXPRESS_REPO, value: toCommitEvent(r, repo) })),
          );
      };
      await send(raw.slice(20, 60), EXPRESS_REPO);
      await send(filler, FILLER_REPO);
      await send(raw.slice(60), EXPRESS_REPO);

      second = await startInProcessFeaturizer(
        'fzrebuild2',
        { ...fzEnv, FEATURIZER_TOPIC_COMMITS: topic, FEATURIZER_GROUP: group, CLICKHOUSE_DATABASE: database },
        { waitReady: false, names },
      );
      const { consumer } = await second.featurizer.handle;
      const [gap] = await waitFor(() => consumer.stoppedPartitions().length > 0 && consumer.stoppedPartitions(), {
        timeoutMs: 30_000,
        message: 'the partition to stop at the gap',
      });
      expect(gap).toMatchObject({ topic, partition: 0, expected: '20', policy: 'stop' });
      const address = `127.0.0.1:${second.featurizer.grpcPort}`;
      await waitFor(async () => (await checkHealth(address)) === 'NOT_SERVING', {
        message: 'health NOT_SERVING at the gap',
      });
      const env = { ...cliEnv, FEATURIZER_ADDR: address };

      const broken = await omen(['audit', '--repo', EXPRESS_REPO, '--topic-timeout-s', '30'], env);
      expect(broken.code, `${broken.stdout}${broken.stderr}\nbroker: ${broker.stderr()}`).toBe(1);
      expect(broken.stdout).toContain('INCOMPLETE');
      // The commits after the gap are in the log but not featurized, and the lost offsets are named.
      expect(broken.stdout).toMatch(/featurizer state\s+20 commits\s+\d+ missing/);
      expect(broken.stdout).toContain(`LOST: offsets 20..${BigInt(gap!.logStart) - 1n} of ${topic}/0`);

      // Not without the operator's word: the gap stands, nothing changed.
      const refused = await omen(
        ['featurizer', 'rebuild', '--repo', EXPRESS_REPO, '--jsonl', history, '--ingest', ingest],
        env,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('--accept-gap');
      expect(consumer.stoppedPartitions()).toHaveLength(1);
      expect(await stateCount()).toBe(20);

      // A wrong token cannot accept it either: the servers verify any credential presented, so it is
      // refused at the first call that carries it (ListOffsetGaps), before anything changes.
      const denied = await omen(
        ['featurizer', 'rebuild', '--repo', EXPRESS_REPO, '--jsonl', history, '--ingest', ingest, '--accept-gap'],
        { ...env, ADMIN_TOKEN: 'not-the-admin-token-at-all' },
      );
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/(ListOffsetGaps|AcceptOffsetGap): (UNAUTHENTICATED|PERMISSION_DENIED)/);
      expect(consumer.stoppedPartitions()).toHaveLength(1);

      const rebuilt = await omen(
        ['featurizer', 'rebuild', '--repo', EXPRESS_REPO, '--jsonl', history, '--ingest', ingest, '--accept-gap'],
        env,
      );
      expect(rebuilt.code, rebuilt.stdout + rebuilt.stderr).toBe(0);
      expect(rebuilt.stderr).toContain(`accepted: ${topic}/0 goes on from offset ${gap!.logStart}`);
      expect(consumer.stoppedPartitions()).toEqual([]);
      await waitFor(async () => (await checkHealth(address)) === 'SERVING', {
        message: 'health SERVING after the accepted gap',
      });

      const healed = await omen(['audit', '--repo', EXPRESS_REPO, '--json', '--topic-timeout-s', '30'], env);
      expect(healed.code, healed.stdout + healed.stderr).toBe(0);
      const report = JSON.parse(healed.stdout.trim().split('\n').at(-1)!) as {
        failed: boolean;
        onGap: { commits: number };
        stages: { stage: string; commits: number; missing: number }[];
      };
      expect(report.onGap.commits).toBe(0);
      expect(
        report.stages
          .filter((s) => s.stage === 'featurizer state' || s.stage === 'features')
          .map((s) => [s.commits, s.missing]),
      ).toEqual([
        [N, 0],
        [N, 0],
      ]);

      // Every commit once, with the metrics of an in-order pass over the events the rebuild
      // published (ingest's, pseudonymized authors included): the last N of the repository in the log.
      const records: Commit[] = [];
      const reader = await createTestConsumer<Commit>(cleanup, {
        kafka: createTestKafka(cleanup, { brokers: broker.brokers }),
        topics: [topic],
        fromBeginning: true,
        dlq: false,
        handler: (r) => {
          if (r.value.repo_id === EXPRESS_REPO) records.push(r.value);
        },
      });
      await waitFor(async () => (await reader.refreshLag()).every((p) => p.lag === 0), {
        timeoutMs: 30_000,
        message: 'the log read to its end',
      });
      const replay = records.slice(-N);
      expect(replay.map((c) => c.sha)).toEqual(raw.map((r) => r.sha));
      const inOrder = await processCommits(new InMemoryHistoryStore(), EXPRESS_REPO, replay, { now: () => 0 });
      const [once] = await first.ch.query<{ rows: string; shas: string }>(
        sql`SELECT count() AS rows, uniqExact(sha) AS shas FROM commit_features FINAL WHERE repo_id = ${EXPRESS_REPO} AND feature_set = 'jit_change_metrics'`,
      );
      expect([Number(once!.rows), Number(once!.shas)]).toEqual([N, N]);
      const rows = await first.ch.query<Record<string, number | string>>(
        sql`SELECT * FROM features_jit_change_metrics_v1 WHERE repo_id = ${EXPRESS_REPO}`,
      );
      const got = new Map(rows.map((r) => [r['sha'] as string, r]));
      const mismatches: string[] = [];
      for (const r of inOrder) {
        for (const name of featureNames(jitChangeMetricsV1)) {
          const want = r.outputs!.jit[name]!;
          const have = Number(got.get(r.sha)?.[name]);
          if (!(Math.abs(have - want) <= 1e-9 * Math.max(1, Math.abs(want))))
            mismatches.push(`${r.sha.slice(0, 12)} ${name}: ${have} vs ${want}`);
        }
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
    } finally {
      await second?.stop();
      await first.stop();
    }
  }, 420_000);
});
