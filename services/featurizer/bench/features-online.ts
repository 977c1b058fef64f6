// ./scripts/omen bench features-online — online feature reads against raw ioredis on the same
// keys, same Redis, same run, JSON on the last line of stdout.
//
// Seeds --commits commits' online features (jit_change_metrics@v1 and code_metrics@v1 with 8
// files of per-file metrics, as the featurizer writes them) under a bench prefix, then drives
// each reader open-loop at each --rates (default 1000,5000 requests/s) for --seconds (default 5),
// latency counted from each request's scheduled send time (a stall counts against it, no
// coordinated omission). Scenarios, interleaved round by round so they share the machine's load:
//
//   raw_hmget             ioredis HMGET <features key> jit_change_metrics@v1 (what GetFeatures reads)
//   featurizer_store      the featurizer's online read (RedisOnlineStore.read: HGET + JSON.parse)
//   featurizer_grpc       gRPC GetFeatures against a featurizer process (services/featurizer/src/main.ts)
//   raw_hgetall_get       ioredis pipeline HGETALL <features key> + GET <prediction cache key>
//   inference_lookup      inference's own read (RedisStore.lookup: the same pipeline, replies parsed)
//
// online_p99_ratio_to_raw: the larger of featurizer_store / raw_hmget and inference_lookup /
// raw_hgetall_get p99, over the rates; grpc_p99_ratio_to_raw: featurizer_grpc / raw_hmget (the
// gRPC hop included). Feast's published online p99 (< 1.5 ms on Redis) is beside the absolute p99s.
// Options: --rates 1000,5000, --seconds N, --commits N, --rounds N, --no-write.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { loadGrpcObject } from '@omen/contracts';
import { codeMetricsV1, featureSetId, jitChangeMetricsV1 } from '@omen/features';
// Inference's own online read, through its package export: the bench measures exactly what it serves with.
import { connectRedis, RedisStore } from '@omen/inference/online-store';
import { freePort, stackEnv } from '@omen/testing';
import { RedisOnlineStore } from '../src/adapters/redis-online-store.ts';
import type { FeatureRow } from '../src/domain/rows.ts';
import { dropKeys } from './git.ts';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const RATES = opt('rates', '1000,5000').split(',').map(Number);
const SECONDS = Number(opt('seconds', '5'));
const COMMITS = Number(opt('commits', '5000'));
const ROUNDS = Number(opt('rounds', '2'));
const FEAST_P99_MS = 1.5;
const log = (msg: string): void => void process.stderr.write(`[bench features-online] ${msg}\n`);
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Latencies (ms) of `call(i)` sent open-loop at `rps` for `seconds`, from each scheduled send time. */
async function openLoop(
  rps: number,
  seconds: number,
  call: (i: number) => Promise<unknown>,
): Promise<{ latencies: number[]; errors: number; achievedRps: number }> {
  const total = Math.round(rps * seconds);
  const interval = 1000 / rps;
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  let done = 0;
  const start = performance.now();
  await new Promise<void>((resolveAll) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        const scheduled = start + sent * interval;
        call(sent)
          .then(
            () => latencies.push(performance.now() - scheduled),
            () => (errors += 1),
          )
          .finally(() => {
            if (++done === total) resolveAll();
          });
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - performance.now())));
    };
    tick();
  });
  return { latencies, errors, achievedRps: round(total / ((performance.now() - start) / 1000), 0) };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function featureRows(repo: string, n: number): FeatureRow[] {
  const rows: FeatureRow[] = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const sha = i.toString(16).padStart(40, '0');
    const jit = Object.fromEntries(jitChangeMetricsV1.features.map((f, k) => [f.name, (i * 7 + k) % 97]));
    const code = Object.fromEntries(codeMetricsV1.features.map((f, k) => [f.name, (i * 3 + k) % 31]));
    const files = Array.from({ length: 8 }, (_, f) => ({
      path: `src/module-${f}/file-${i % 50}.ts`,
      values: { functions: f, complexity_max: f + 2, sloc: 100 + f, comment_ratio: 0.1 },
    }));
    const base = { event_time: now - 60_000, repo_id: repo, sha, computed_at: now };
    rows.push({
      ...base,
      event_id: `${repo}:${sha}:jit`,
      feature_set: jitChangeMetricsV1.name,
      feature_set_version: jitChangeMetricsV1.version,
      values: jit,
      file_metrics: null,
    });
    rows.push({
      ...base,
      event_id: `${repo}:${sha}:code`,
      feature_set: codeMetricsV1.name,
      feature_set_version: codeMetricsV1.version,
      values: code,
      file_metrics: files,
    });
  }
  return rows;
}

const stack = stackEnv();
const suffix = randomBytes(4).toString('hex');
const prefix = `bench:${suffix}:online`;
const repo = 'github:bench/features-online';
const seedRedis = new Redis(stack.REDIS_URL);
const seeded = featureRows(repo, COMMITS);
const seedStore = new RedisOnlineStore(seedRedis, { prefix });
for (let i = 0; i < seeded.length; i += 1000) await seedStore.write(seeded.slice(i, i + 1000));
seedRedis.disconnect();
log(`seeded ${COMMITS} commits under ${prefix}`);
const shas = Array.from({ length: COMMITS }, (_, i) => i.toString(16).padStart(40, '0'));
const jitField = featureSetId(jitChangeMetricsV1);

// The readers, each on its own connection, configured as its service configures it.
const raw = new Redis(stack.REDIS_URL);
const featurizerRedis = new Redis(stack.REDIS_URL, { maxRetriesPerRequest: 2 });
const featurizerStore = new RedisOnlineStore(featurizerRedis, { prefix });
const inferenceRedis = connectRedis(stack.REDIS_URL, 1000);
await inferenceRedis.connect();
const inferenceStore = new RedisStore(inferenceRedis, {
  featurePrefix: prefix,
  cachePrefix: `bench:${suffix}:predictions`,
});

// The featurizer as a process of its own, for GetFeatures over gRPC.
const database = `fzonline_${suffix}`;
const admin = createClickHouse({ url: stack.CLICKHOUSE_URL });
await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
const [grpcPort, metricsPort] = [await freePort(), await freePort()];
const featurizer = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'services/featurizer/src/main.ts')], {
  env: {
    ...process.env,
    ...stack,
    LOG_LEVEL: 'error',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    CLICKHOUSE_DATABASE: database,
    FEATURIZER_CODE_METRICS: 'false',
    FEATURIZER_GROUP: `bench-online-${suffix}`,
    FEATURIZER_TOPIC_COMMITS: `bench-online-commits-${suffix}`,
    FEATURIZER_TOPIC_ISSUES: `bench-online-issues-${suffix}`,
    FEATURIZER_TOPIC_FEATURES: `bench-online-features-${suffix}`,
    FEATURIZER_TOPIC_LABELS: `bench-online-labels-${suffix}`,
    FEATURIZER_STATE_PREFIX: `bench:${suffix}:state`,
    FEATURIZER_ONLINE_PREFIX: prefix,
  },
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
  if (featurizer.exitCode !== null || i > 900) throw new Error('the featurizer did not become ready');
  await sleep(100);
}
const client = new (loadGrpcObject('featurizer').omen.featurizer.v1.Featurizer)(
  `127.0.0.1:${grpcPort}`,
  grpc.credentials.createInsecure(),
);
const getFeatures = (i: number): Promise<unknown> =>
  new Promise((ok, fail) =>
    (
      client as unknown as {
        GetFeatures: (
          req: unknown,
          md: grpc.Metadata,
          o: grpc.CallOptions,
          cb: (e: Error | null, r?: unknown) => void,
        ) => void;
      }
    ).GetFeatures(
      { repo_id: repo, sha: shas[i % COMMITS], feature_set: jitChangeMetricsV1.name },
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (e, r) => (e ? fail(e) : ok(r)),
    ),
  );

const scenarios: Record<string, (i: number) => Promise<unknown>> = {
  raw_hmget: (i) => raw.hmget(featurizerStore.key(repo, shas[i % COMMITS]!), jitField),
  featurizer_store: async (i) => {
    if (!(await featurizerStore.read(repo, shas[i % COMMITS]!, jitChangeMetricsV1))) throw new Error('missing');
  },
  featurizer_grpc: getFeatures,
  raw_hgetall_get: (i) => {
    const sha = shas[i % COMMITS]!;
    return raw
      .pipeline()
      .hgetall(inferenceStore.featureKey(repo, sha))
      .get(inferenceStore.cacheKey(repo, sha, 'jit-defect', '1'))
      .exec();
  },
  inference_lookup: async (i) => {
    const sha = shas[i % COMMITS]!;
    const [rec] = await inferenceStore.lookup([
      { repoId: repo, sha, cacheKey: inferenceStore.cacheKey(repo, sha, 'jit-defect', '1') },
    ]);
    if (!rec?.sets.has(jitField)) throw new Error('missing');
  },
};

// Warm-up: JIT, connections, the gRPC channel.
for (const call of Object.values(scenarios)) await openLoop(500, 1, call);
const samples: Record<string, Record<number, { latencies: number[]; errors: number; achieved: number[] }>> = {};
const loadDuring: number[][] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const rps of RATES) {
    for (const [name, call] of Object.entries(scenarios)) {
      const res = await openLoop(rps, SECONDS, call);
      const s = ((samples[name] ??= {})[rps] ??= { latencies: [], errors: 0, achieved: [] });
      s.latencies.push(...res.latencies);
      s.errors += res.errors;
      s.achieved.push(res.achievedRps);
      log(`round ${r + 1} ${rps} rps ${name}: ${res.latencies.length} ok, ${res.errors} errors`);
      await sleep(200);
    }
    loadDuring.push(loadavg());
  }
}
const results: Record<string, Record<string, unknown>> = {};
for (const [name, byRate] of Object.entries(samples)) {
  for (const [rps, s] of Object.entries(byRate)) {
    const sorted = s.latencies.sort((a, b) => a - b);
    (results[name] ??= {})[rps] = {
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
      requests: sorted.length,
      errors: s.errors,
      achieved_rps: s.achieved,
    };
  }
}
const p99 = (name: string, rps: number): number => (results[name]![rps] as { p99_ms: number }).p99_ms;
const ratios: Record<string, Record<string, number>> = {};
for (const rps of RATES) {
  ratios[rps] = {
    featurizer_store: round(p99('featurizer_store', rps) / p99('raw_hmget', rps), 2),
    inference_lookup: round(p99('inference_lookup', rps) / p99('raw_hgetall_get', rps), 2),
    featurizer_grpc: round(p99('featurizer_grpc', rps) / p99('raw_hmget', rps), 2),
  };
}
const result = {
  bench: 'features-online',
  at: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
  },
  loadAverageDuring: loadDuring,
  commits: COMMITS,
  seconds: SECONDS,
  rounds: ROUNDS,
  online_p99_ratio_to_raw: Math.max(
    ...RATES.flatMap((r) => [ratios[r]!['featurizer_store']!, ratios[r]!['inference_lookup']!]),
  ),
  grpc_p99_ratio_to_raw: Math.max(...RATES.map((r) => ratios[r]!['featurizer_grpc']!)),
  feast_p99_ms: FEAST_P99_MS,
  p99_ms: Object.fromEntries(
    RATES.map((r) => [r, Object.fromEntries(Object.keys(scenarios).map((n) => [n, p99(n, r)]))]),
  ),
  ratios,
  scenarios: results,
};

client.close();
featurizer.kill('SIGTERM');
raw.disconnect();
featurizerRedis.disconnect();
inferenceRedis.disconnect();
await dropKeys(stack.REDIS_URL, `bench:${suffix}:`);
await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
await admin.close();
if (!args.includes('--no-write'))
  writeFileSync(new URL('./results/features-online.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
