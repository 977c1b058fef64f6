// ./scripts/omen bench featurizer — throughput of the featurizer on this machine, JSON on the
// last line of stdout.
//
// 1. numstat end to end: express-commits (copied under --repos repository ids, so several
//    partitions work at once) produced to a fresh topic, then one in-process featurizer consumes
//    them and writes ClickHouse, Redis and Kafka. commits/s = commits / (last row visible in
//    ClickHouse − consumer joined). Stage times come from omen_featurizer_stage_duration_seconds.
// 2. domain only: the change-metrics state machine over express with the in-memory store and
//    with the Redis store (no sinks), to separate compute from I/O.
// 3. tree-sitter: MB/s of real source text (this repo's TypeScript, installed JavaScript,
//    Python's standard library, C headers) through parse + metrics, and through the whole
//    commit path (blame from hunks, before/after parse, security rules, duplicates).
//
// Needs the dev stack (./scripts/omen stack up). Options: --repos N (default 3),
// --max-source-mb N per language (default 3), --skip-e2e.
//
// With --git PATH it measures commits with hunks from a clone instead (git.ts: featurizer
// commits_per_s and mb_per_s through tree-sitter and the three sinks, and the end-to-end
// backfill → features rate), written to results/featurizer-git.json.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisClient } from '@omen/service';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { avroSchema } from '@omen/contracts';
import { createKafka } from '@omen/kafka';
import { stackEnv } from '@omen/testing';
import { runFeaturizer } from '../src/app.ts';
import { RedisHistoryStore } from '../src/adapters/redis-history-store.ts';
import { loadLanguages } from '../src/adapters/tree-sitter.ts';
import { createCodeAnalyzer, measureText } from '../src/domain/code/analyzer.ts';
import type { LoadedLanguages } from '../src/domain/code/analyzer.ts';
import type { CommitInput } from '../src/domain/commit.ts';
import { InMemoryHistoryStore } from '../src/domain/memory-history-store.ts';
import { processCommits } from '../src/domain/processor.ts';
import { EXPRESS_REPO, readExpressCommits, readExpressRaw, toCommitEvent } from '../test/helpers/express.ts';
import { dropKeys, gitBench } from './git.ts';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const args = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const REPOS = Math.min(4, opt('repos', 3));
const MAX_SOURCE_BYTES = opt('max-source-mb', 3) * 1024 * 1024;
const SKIP_E2E = args.includes('--skip-e2e');
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const suffix = Math.random().toString(16).slice(2, 10);

// --git PATH: commits with hunks from a clone through ingest, tree-sitter and the sinks (git.ts).
const gitPath = args.includes('--git') ? args[args.indexOf('--git') + 1] : undefined;
if (gitPath !== undefined) {
  const revAt = args.indexOf('--rev');
  const result = {
    bench: 'featurizer-git',
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    loadAverageBefore: loadavg(),
    ...(await gitBench({
      path: gitPath,
      rev: revAt >= 0 ? args[revAt + 1]! : 'HEAD',
      slice: opt('slice', 400),
      skipEndToEnd: SKIP_E2E,
    })),
    loadAverageAfter: loadavg(),
  };
  if (!args.includes('--no-write'))
    writeFileSync(new URL('./results/featurizer-git.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

async function endToEnd(): Promise<Record<string, unknown>> {
  const env = stackEnv();
  const topic = `bench-commits-${suffix}`;
  const database = `fzbench_${suffix}`;
  const admin = createClickHouse({ url: env.CLICKHOUSE_URL });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  const ch = createClickHouse({ url: env.CLICKHOUSE_URL, database });
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS,
    registryUrl: env.SCHEMA_REGISTRY_URL,
    clientId: `bench-${suffix}`,
  });
  const raw = readExpressRaw();
  const repos = Array.from({ length: REPOS }, (_, i) => (i === 0 ? EXPRESS_REPO : `github:bench/express-${i}`));
  const producer = await kafka.producer({ schemas: { [topic]: avroSchema('commit') } });
  log(`producing ${raw.length * repos.length} commits to ${topic}`);
  // One repository per partition: the dev broker (librdkafka's mock cluster) keeps only about
  // 5 MiB per partition and silently drops the oldest records beyond that.
  for (const [p, repo] of repos.entries()) {
    const events = raw.map((r) => toCommitEvent(r, repo));
    for (let i = 0; i < events.length; i += 1000) {
      await producer.send(
        topic,
        events
          .slice(i, i + 1000)
          .map((e) => ({ key: repo, value: e, eventId: e['event_id'] as string, partition: p % 4 })),
      );
    }
  }
  const total = raw.length * repos.length;
  const featurizer = await runFeaturizer({
    ownProcess: false,
    env: {
      ...env,
      LOG_LEVEL: 'error',
      CLICKHOUSE_DATABASE: database,
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      FEATURIZER_GROUP: `bench-${suffix}`,
      FEATURIZER_TOPIC_COMMITS: topic,
      FEATURIZER_TOPIC_ISSUES: `bench-issues-${suffix}`,
      FEATURIZER_TOPIC_FEATURES: `bench-features-${suffix}`,
      FEATURIZER_TOPIC_LABELS: `bench-labels-${suffix}`,
      FEATURIZER_STATE_PREFIX: `bench:${suffix}:state`,
      FEATURIZER_ONLINE_PREFIX: `bench:${suffix}:online`,
    },
  });
  await (
    await featurizer.handle
  ).consumer.ready;
  const t0 = performance.now();
  for (;;) {
    const [row] = await ch.query<{ n: string }>(
      sql`SELECT count() AS n FROM commit_features WHERE feature_set = 'jit_change_metrics'`,
    );
    if (Number(row?.n ?? 0) >= total) break;
    if (performance.now() - t0 > 600_000)
      throw new Error(`only ${row?.n ?? 0} of ${total} commits arrived within 600 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  const metrics = await (await fetch(`${featurizer.metricsUrl}/metrics`)).text();
  const sumOf = (name: string, label: string): number | undefined => {
    const line = metrics.split('\n').find((l) => l.startsWith(`${name}_sum{`) && l.includes(label));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const stages: Record<string, number | undefined> = {};
  for (const s of ['state', 'sinks', 'clickhouse', 'redis_online', 'kafka_publish'])
    stages[s] = round(sumOf('omen_featurizer_stage_duration_seconds', `stage="${s}"`) ?? 0, 2);
  const handler = sumOf('omen_kafka_consumer_handling_duration_seconds', 'topic=') ?? 0;
  await featurizer.stop();
  await producer.disconnect();
  await kafka.close();
  await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  await dropKeys(env.REDIS_URL, `bench:${suffix}:`);
  await ch.close();
  await admin.close();
  return {
    commits: total,
    repositories: repos.length,
    seconds: round(seconds, 2),
    commitsPerSecond: round(total / seconds),
    target: 2000,
    // Batch time per stage summed over batches and over the partitions handled at once (so the
    // sum can exceed the wall time); sinks run in parallel, so
    // sinks ≈ max(clickhouse, redis_online, kafka_publish) per batch.
    stageSeconds: stages,
    handlerSeconds: round(handler, 2),
    outsideHandlerSeconds: round(Math.max(0, seconds - handler), 2),
  };
}

async function domainOnly(): Promise<Record<string, unknown>> {
  const commits = readExpressCommits();
  const time = async (store: InMemoryHistoryStore | RedisHistoryStore, repo: string): Promise<number> => {
    const list = commits.map((c) => ({ ...c, repo_id: repo }));
    const t0 = performance.now();
    for (let i = 0; i < list.length; i += 500) await processCommits(store, repo, list.slice(i, i + 500));
    return (performance.now() - t0) / 1000;
  };
  const memory = await time(new InMemoryHistoryStore(), EXPRESS_REPO);
  let redisSeconds: number | undefined;
  if (!SKIP_E2E) {
    const redis = createRedisClient(stackEnv('REDIS_URL').REDIS_URL);
    const store = new RedisHistoryStore(redis, { prefix: `bench:${suffix}:domain` });
    redisSeconds = await time(store, EXPRESS_REPO);
    await store.dropRepository(EXPRESS_REPO);
    redis.disconnect();
  }
  return {
    commits: commits.length,
    inMemoryCommitsPerSecond: round(commits.length / memory),
    redisStateCommitsPerSecond: redisSeconds === undefined ? null : round(commits.length / redisSeconds),
  };
}

function collect(
  dir: string,
  exts: readonly string[],
  budget: number,
  out: { path: string; text: string }[] = [],
  used = { bytes: 0 },
): { path: string; text: string }[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    if (used.bytes >= budget) break;
    if (name === '.git' || name === 'test' || name === '__pycache__') continue;
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) collect(p, exts, budget, out, used);
    else if (
      exts.some((e) => name.endsWith(e)) &&
      st.size > 200 &&
      st.size < 300_000 &&
      !name.endsWith('.min.js') &&
      !name.endsWith('.d.ts')
    ) {
      const text = readFileSync(p, 'utf8');
      if (text.length / Math.max(1, text.split('\n').length) > 200) continue; // minified
      out.push({ path: p, text });
      used.bytes += Buffer.byteLength(text);
    }
  }
  return out;
}

function corpora(): Record<string, { path: string; text: string }[]> {
  const pythonLib = execFileSync('python3', ['-c', 'import os; print(os.path.dirname(os.__file__))'], {
    encoding: 'utf8',
  }).trim();
  return {
    typescript: [
      ...collect(join(root, 'packages'), ['.ts'], MAX_SOURCE_BYTES / 2),
      ...collect(join(root, 'services'), ['.ts'], MAX_SOURCE_BYTES / 2),
    ],
    javascript: collect(join(root, 'node_modules/.pnpm'), ['.js'], MAX_SOURCE_BYTES),
    python: collect(pythonLib, ['.py'], MAX_SOURCE_BYTES),
    c: collect('/usr/include', ['.h'], MAX_SOURCE_BYTES),
  };
}

function treeSitter(languages: LoadedLanguages): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [lang, files] of Object.entries(corpora())) {
    if (files.length === 0) continue;
    const bytes = files.reduce((s, f) => s + Buffer.byteLength(f.text), 0);
    const t0 = performance.now();
    for (const f of files) measureText(languages, f.path, f.text);
    const parseSeconds = (performance.now() - t0) / 1000;
    // The commit path: each file added (one parse), then edited in the middle (two parses),
    // through blame, code analysis, security rules and duplicates.
    const repo = `bench:${lang}`;
    const commits: CommitInput[] = [];
    files.forEach((f, i) => {
      const lines = f.text.split('\n');
      const path = `src/${i}${f.path.slice(f.path.lastIndexOf('.'))}`;
      const sha = (n: number): string => n.toString(16).padStart(40, '0');
      commits.push({
        repo_id: repo,
        sha: sha(2 * i + 1),
        parents: [sha(0)],
        author_id: 'a',
        commit_time: i * 1000,
        message: 'add',
        files: [
          {
            path,
            old_path: null,
            status: 'added',
            lines_added: lines.length,
            lines_deleted: 0,
            binary: false,
            hunks: [
              {
                old_start: 0,
                old_lines: 0,
                new_start: 1,
                new_lines: lines.length,
                deleted_lines: [],
                added_lines: lines.map((content, k) => ({ number: k + 1, content })),
              },
            ],
          },
        ],
      });
      const mid = Math.floor(lines.length / 2);
      commits.push({
        repo_id: repo,
        sha: sha(2 * i + 2),
        parents: [sha(2 * i + 1)],
        author_id: 'b',
        commit_time: i * 1000 + 500,
        message: 'fix off-by-one',
        files: [
          {
            path,
            old_path: null,
            status: 'modified',
            lines_added: 1,
            lines_deleted: 1,
            binary: false,
            hunks: [
              {
                old_start: mid + 1,
                old_lines: 1,
                new_start: mid + 1,
                new_lines: 1,
                deleted_lines: [{ number: mid + 1, content: lines[mid]! }],
                added_lines: [{ number: mid + 1, content: `${lines[mid]!} ` }],
              },
            ],
          },
        ],
      });
    });
    out[lang] = {
      files: files.length,
      megabytes: round(bytes / 1048576, 2),
      parseAndMeasureMBps: round(bytes / 1048576 / parseSeconds, 2),
    };
    out[`${lang}_pending`] = { commits, bytes };
  }
  return out;
}

async function commitPath(results: Record<string, unknown>, languages: LoadedLanguages): Promise<void> {
  const analyzer = createCodeAnalyzer(languages);
  for (const key of Object.keys(results).filter((k) => k.endsWith('_pending'))) {
    const { commits, bytes } = results[key] as { commits: CommitInput[]; bytes: number };
    delete results[key];
    const store = new InMemoryHistoryStore();
    const t0 = performance.now();
    await processCommits(store, commits[0]!.repo_id, commits, { analyzer });
    const seconds = (performance.now() - t0) / 1000;
    const lang = key.replace(/_pending$/, '');
    (results[lang] as Record<string, unknown>)['commitPathMBps'] = round(bytes / 1048576 / seconds, 2);
  }
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: round(totalmem() / 2 ** 30, 1),
  node: process.version,
};
log('domain only …');
const domain = await domainOnly();
log('tree-sitter …');
const languages = await loadLanguages();
const ts = treeSitter(languages);
await commitPath(ts, languages);
let numstat: Record<string, unknown> | null = null;
if (!SKIP_E2E) {
  log('numstat end to end …');
  numstat = await endToEnd();
}
const result = {
  bench: 'featurizer',
  at: new Date().toISOString(),
  machine,
  loadAverage: loadavg(),
  numstatEndToEnd: numstat,
  domainOnly: domain,
  treeSitter: ts,
};
// Kept in the repo beside the code it measured, with the machine it ran on.
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/featurizer.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
