// ./scripts/omen bench featurizer --git PATH — commits with hunks (a real clone, e.g.
// ../shared/data/express.bundle cloned to a temp dir) through ingest, Kafka, the featurizer with
// tree-sitter, and its three sinks (ClickHouse, Redis, Kafka). Two figures:
//
// 1. featurizer: the history published by `backfill --git --republish --from A --to B` in
//    slices of --slice commits (default 400), each consumed to no lag before the next, so the
//    dev broker's per-partition limit cannot drop records; commits_per_s and mb_per_s over the
//    featurizer's handler time (omen_kafka_consumer_handling_duration_seconds: decoded batch in,
//    sinks acknowledged), MB = the zero-context diff text of the commits (what the events carry as hunks);
//    where the time goes from omen_featurizer_stage_duration_seconds (state = history read, compute and write,
//    code = tree-sitter inside it, then the three sinks in parallel; with code workers, the
//    parsing overlaps the walk and state includes only the wait for it at the batch's end).
// 2. end to end: the whole history in one `backfill --git` while the featurizer consumes, under
//    a second repository id: commits/s from the backfill's start to the last feature row, and
//    how many published commits never became features (the log dropped them before they were read).
//
// Ingest runs as a child process (src/main.ts of services/ingest), the backfill as its CLI; the
// featurizer in this process. Options: --git PATH (required), --rev REV, --slice N, --skip-e2e.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisClient } from '@omen/service';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { createKafka } from '@omen/kafka';
import { deleteKeysMatching, freePort, stackEnv } from '@omen/testing';
import { loadLanguages } from '../src/adapters/tree-sitter.ts';
import { runFeaturizer } from '../src/app.ts';
import { gitOrder } from '../src/recovery/steps.ts';
import { sourceFiles, treeSitterRatio } from './tree-sitter-ratio.ts';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const INGEST_MAIN = resolve(root, 'services/ingest/src/main.ts');
const BACKFILL = resolve(root, 'services/ingest/src/backfill/cli.ts');
const log = (msg: string): void => void process.stderr.write(`[bench featurizer --git] ${msg}\n`);
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Deletes a bench run's Redis keys (state and online features) under `prefix`. */
export async function dropKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = createRedisClient(redisUrl);
  await deleteKeysMatching(redis, `${prefix}*`);
  redis.disconnect();
}

export interface GitBenchOptions {
  path: string;
  rev: string;
  slice: number;
  skipEndToEnd: boolean;
}

/** Bytes of the zero-context diffs `backfill --git` turns into hunks, for MB/s. */
function diffBytes(path: string, rev: string): number {
  const r = spawnSync('git', ['-C', path, 'log', '--date-order', '-U0', '--no-color', '--format=%H', rev, '--'], {
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`git log in ${path} failed: ${r.stderr.toString()}`);
  return r.stdout.length;
}

function runBackfill(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<Record<string, unknown>> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BACKFILL, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`backfill exited ${code}: ${last}`));
      else resolveRun(JSON.parse(last) as Record<string, unknown>);
    });
  });
}

export async function gitBench(o: GitBenchOptions): Promise<Record<string, unknown>> {
  const stack = stackEnv();
  const suffix = randomBytes(4).toString('hex');
  const names = { commits: `bench-git-commits-${suffix}`, group: `bench-git-${suffix}`, database: `fzgit_${suffix}` };
  const shas = gitOrder(o.path, o.rev);
  const megabytes = diffBytes(o.path, o.rev) / 1048576;
  log(`${shas.length} commits, ${round(megabytes, 1)} MB of zero-context diffs`);
  // 0. tree-sitter alone: our parse + metrics against bare parse, same files, same run.
  const ratio = treeSitterRatio(await loadLanguages(), sourceFiles(o.path, o.rev));
  log(`tree-sitter: ${JSON.stringify(ratio)}`);

  const admin = createClickHouse({ url: stack.CLICKHOUSE_URL });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(names.database)}`);
  const ch = createClickHouse({ url: stack.CLICKHOUSE_URL, database: names.database });
  const kafka = createKafka({
    brokers: stack.KAFKA_BROKERS,
    registryUrl: stack.SCHEMA_REGISTRY_URL,
    clientId: `bench-git-${suffix}`,
  });
  const adminToken = randomBytes(24).toString('base64url');
  const [grpcPort, metricsPort] = [await freePort(), await freePort()];
  const ingestEnv = {
    ...process.env,
    ...stack,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'error',
    ADMIN_TOKEN: adminToken,
    INGEST_PSEUDONYM_KEY: 'bench-pseudonym-key-0123456789',
    INGEST_TOPIC_COMMITS: names.commits,
    INGEST_TOPIC_PULL_REQUESTS: `bench-git-prs-${suffix}`,
    INGEST_TOPIC_ISSUES: `bench-git-issues-${suffix}`,
    INGEST_DEDUP_NAMESPACE: `bench-git-${suffix}:`,
    INGEST_DEDUP_WINDOW: '10m',
  };
  const ingest = spawn(process.execPath, ['--import', 'tsx', INGEST_MAIN], {
    env: ingestEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (
    let i = 0;
    !(await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    if (ingest.exitCode !== null || i > 600) throw new Error('ingest did not become ready');
    await sleep(100);
  }
  const featurizer = await runFeaturizer({
    ownProcess: false,
    env: {
      ...stack,
      LOG_LEVEL: 'error',
      // FEATURIZER_CODE_WORKERS and FEATURIZER_CODE_TREE_CACHE_CHARS from the bench's own
      // environment, to compare settings (e.g. 0 and 0: parsing on the main thread, from scratch).
      ...Object.fromEntries(
        ['FEATURIZER_CODE_WORKERS', 'FEATURIZER_CODE_TREE_CACHE_CHARS'].flatMap((k) =>
          process.env[k] === undefined ? [] : [[k, process.env[k]]],
        ),
      ),
      CLICKHOUSE_DATABASE: names.database,
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      FEATURIZER_GROUP: names.group,
      FEATURIZER_TOPIC_COMMITS: names.commits,
      FEATURIZER_TOPIC_ISSUES: `bench-git-issues-${suffix}`,
      FEATURIZER_TOPIC_FEATURES: `bench-git-features-${suffix}`,
      FEATURIZER_TOPIC_LABELS: `bench-git-labels-${suffix}`,
      FEATURIZER_STATE_PREFIX: `bench:${suffix}:state`,
      FEATURIZER_ONLINE_PREFIX: `bench:${suffix}:online`,
    },
  });
  await (
    await featurizer.handle
  ).consumer.ready;

  const metric = async (name: string, label: string): Promise<number> => {
    const text = await (await fetch(`${featurizer.metricsUrl}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && l.includes(label))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };
  const stageNames = ['state', 'code', 'code_worker', 'sinks', 'clickhouse', 'redis_online', 'kafka_publish'] as const;
  const snapshot = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {
      handler: await metric('omen_kafka_consumer_handling_duration_seconds_sum', `topic="${names.commits}"`),
    };
    for (const s of stageNames) out[s] = await metric('omen_featurizer_stage_duration_seconds_sum', `stage="${s}"`);
    return out;
  };
  const featurized = async (repo: string): Promise<number> =>
    Number(
      (
        await ch.query<{ n: string }>(
          sql`SELECT uniqExact(sha) AS n FROM commit_features WHERE repo_id = ${repo} AND feature_set = 'jit_change_metrics'`,
        )
      )[0]?.n ?? 0,
    );
  const noLag = async (): Promise<void> => {
    for (;;) {
      const lag = await kafka.consumerLag(names.group, [names.commits]);
      if (lag.every((p) => p.lag === 0)) return;
      await sleep(200);
    }
  };

  try {
    // 1. featurizer alone, slice by slice.
    const repo = `git:bench-git-${suffix}`;
    const backfillEnv = { ...process.env, ADMIN_TOKEN: adminToken };
    const common = ['--git', o.path, '--rev', o.rev, '--ingest', `127.0.0.1:${grpcPort}`, '--batch', '200'];
    const before = await snapshot();
    // The featurizer runs in this process: its CPU, worker threads included, is this process's
    // (the backfill and ingest are children of their own; this loop mostly waits).
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < shas.length; i += o.slice) {
      const last = shas[Math.min(shas.length, i + o.slice) - 1]!;
      await runBackfill(backfillEnv, [...common, '--repo', repo, '--republish', '--from', shas[i]!, '--to', last]);
      await noLag();
      log(`featurizer: ${Math.min(shas.length, i + o.slice)} / ${shas.length}`);
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const after = await snapshot();
    const spent = Object.fromEntries(Object.keys(after).map((k) => [k, round(after[k]! - before[k]!, 2)]));
    const handler = spent['handler']!;
    const done = await featurized(repo);
    const featurizerResult = {
      commits: done,
      published: shas.length,
      handlerSeconds: handler,
      commits_per_s: round(done / handler),
      mb_per_s: round(megabytes / handler, 2),
      wallSeconds: round(wall, 1),
      // CPU of the featurizer's process over the same phase, all threads: what a core buys.
      cpuSeconds: round(cpuSeconds, 2),
      commits_per_cpu_s: round(done / cpuSeconds),
      // Summed over batches; sinks run in parallel, so sinks ≈ max(clickhouse, redis_online, kafka_publish).
      stageSeconds: Object.fromEntries(stageNames.map((s) => [s, spent[s]])),
      share: {
        historyState: round((spent['state']! - spent['code']!) / handler, 2),
        treeSitter: round(spent['code']! / handler, 2),
        sinks: round(spent['sinks']! / handler, 2),
        restOfHandler: round((handler - spent['state']! - spent['sinks']!) / handler, 2),
      },
    };
    log(`featurizer: ${JSON.stringify(featurizerResult)}`);

    // 2. end to end: backfill at full speed while the featurizer consumes.
    let endToEnd: Record<string, unknown> | null = null;
    if (!o.skipEndToEnd) {
      const repo2 = `git:bench-git-e2e-${suffix}`;
      const e0 = performance.now();
      const backfill = await runBackfill(backfillEnv, [...common, '--repo', repo2]);
      const publishedAt = (performance.now() - e0) / 1000;
      let n = 0;
      let lastChange = performance.now();
      let lastRowAt = publishedAt;
      for (;;) {
        const now = await featurized(repo2);
        if (now !== n) {
          n = now;
          lastChange = performance.now();
          lastRowAt = (lastChange - e0) / 1000;
        }
        if (n >= shas.length) break;
        // Done when the group read everything and nothing changed for a while: the rest was dropped.
        const lag = await kafka.consumerLag(names.group, [names.commits]);
        if (lag.every((p) => p.lag === 0) && performance.now() - lastChange > 15_000) break;
        await sleep(250);
      }
      endToEnd = {
        published: backfill['published'],
        backfillCommitsPerS: round(Number(backfill['rate'])),
        featurized: n,
        lost: shas.length - n,
        seconds: round(lastRowAt, 1),
        commits_per_s: round(n / lastRowAt),
        mb_per_s: round((megabytes * n) / shas.length / lastRowAt, 2),
        // How long the last feature row came after the backfill finished publishing: the
        // backlog the featurizer had to work off.
        behindBackfillSeconds: round(lastRowAt - publishedAt, 1),
      };
      log(`end to end: ${JSON.stringify(endToEnd)}`);
    }
    const backfillRate = endToEnd === null ? null : Number(endToEnd['backfillCommitsPerS']);
    return {
      git: o.path,
      rev: o.rev,
      commits: shas.length,
      diffMegabytes: round(megabytes, 1),
      tree_sitter_ratio: ratio.tree_sitter_ratio,
      commits_per_s: featurizerResult.commits_per_s,
      mb_per_s: featurizerResult.mb_per_s,
      backfill_commits_per_s: backfillRate,
      // The featurizer's rate over its handler time against the backfill's publish rate.
      keeps_up: backfillRate === null ? null : featurizerResult.commits_per_s >= backfillRate,
      treeSitter: ratio,
      featurizer: featurizerResult,
      endToEnd,
    };
  } finally {
    await featurizer.stop();
    ingest.kill('SIGTERM');
    await kafka.close();
    await admin.command(sql`DROP DATABASE IF EXISTS ${ident(names.database)}`);
    await dropKeys(stack.REDIS_URL, `bench:${suffix}:`);
    await ch.close();
    await admin.close();
  }
}
