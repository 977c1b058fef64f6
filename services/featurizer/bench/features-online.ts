// ./scripts/omen bench features-online — online feature reads against raw ioredis on the same
// keys, same Redis, same run, JSON on the last line of stdout.
//
// Seeds --commits commits' online features (jit_change_metrics@v1 and code_metrics@v1 with 8
// files of per-file metrics, as the featurizer writes them) under a bench prefix, then drives
// each reader open-loop at each --rates (default 1000,5000 requests/s) for --seconds (default 5),
// latency counted from each request's scheduled send time (a stall counts against it, no
// coordinated omission). The readers live in a load-generator process of their own
// (features-online-load.ts), which reports the send rate it achieved and how far its sends fell
// behind schedule: `generator_behind` lists the runs it could not send at the asked rate (the
// machine, not the reader, set their numbers). Scenarios, interleaved round by round so they
// share the machine's load:
//
//   raw_hmget             ioredis HMGET <features key> jit_change_metrics@v1 (what GetFeatures reads)
//   featurizer_store      the featurizer's online read (RedisOnlineStore.read: HGET + JSON.parse)
//   featurizer_grpc       gRPC GetFeatures against a featurizer process (services/featurizer/src/main.ts)
//   bare_grpc             the same RPC against a bare grpc-js server on the same read (features-online-bare.ts)
//   raw_hgetall_get       ioredis pipeline HGETALL <features key> + GET <prediction cache key>
//   inference_lookup      inference's own read (RedisStore.lookup: the same pipeline, replies parsed)
//
// online_p99_ratio_to_raw: the larger of featurizer_store / raw_hmget and inference_lookup /
// raw_hgetall_get p99, over the rates; grpc_p99_ratio_to_raw: featurizer_grpc / raw_hmget (the
// gRPC hop included); grpc_p99_ratio_to_bare_grpc and grpc_cpu_ratio_to_bare_grpc: featurizer_grpc
// over bare_grpc, p99 and server CPU per call (from /proc), what the service's own serving stack
// costs. Feast's published online p99 (< 1.5 ms on Redis) is beside the absolute p99s.
// Options: --rates 1000,5000, --seconds N, --commits N, --rounds N, --only SCENARIO,…
// (ratios need all six), --cpu-prof-dir DIR, --no-write.
import { fork, spawn, type Serializable } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { codeMetricsV1, jitChangeMetricsV1 } from '@omen/features';
import { freePort, stackEnv } from '@omen/testing';
import { RedisOnlineStore } from '../src/adapters/redis-online-store.ts';
import type { FeatureRow } from '../src/domain/rows.ts';
import type { LoadResult, LoadRun, LoadSetup } from './features-online-load.ts';
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

// The featurizer as a process of its own, for GetFeatures over gRPC.
const database = `fzonline_${suffix}`;
const admin = createClickHouse({ url: stack.CLICKHOUSE_URL });
await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
const [grpcPort, metricsPort] = [await freePort(), await freePort()];
// --cpu-prof-dir DIR: the featurizer writes a CPU profile there when it stops (where GetFeatures' time goes).
const prof = args.includes('--cpu-prof-dir') ? ['--cpu-prof', `--cpu-prof-dir=${opt('cpu-prof-dir', '.')}`] : [];
const featurizer = spawn(
  process.execPath,
  [...prof, '--import', 'tsx', resolve(root, 'services/featurizer/src/main.ts')],
  {
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
  },
);
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
// The comparator for GetFeatures: a bare grpc-js server on the same read (features-online-bare.ts).
const barePort = await freePort();
const bare = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(new URL('./features-online-bare.ts', import.meta.url)),
    stack.REDIS_URL,
    prefix,
    String(barePort),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise<void>((ok, fail) => {
  bare.once('exit', (code) => fail(new Error(`the bare gRPC server exited with ${code}`)));
  bare.stdout.once('data', () => ok());
});

/** User + system CPU of a process so far (ms), from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const servers: Record<string, number | undefined> = { featurizer_grpc: featurizer.pid, bare_grpc: bare.pid };

// The load generator: a process of its own holding every reader (features-online-load.ts).
const load = fork(fileURLToPath(new URL('./features-online-load.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const fromLoad = <T>(message: unknown): Promise<T> =>
  new Promise((ok, fail) => {
    const onExit = (code: number | null): void => fail(new Error(`the load generator exited with ${code}`));
    load.once('exit', onExit);
    load.once('message', (r: T) => {
      load.off('exit', onExit);
      ok(r);
    });
    load.send(message as Serializable);
  });
const setup: LoadSetup = {
  redisUrl: stack.REDIS_URL,
  prefix,
  cachePrefix: `bench:${suffix}:predictions`,
  repo,
  commits: COMMITS,
  grpcAddress: `127.0.0.1:${grpcPort}`,
  bareGrpcAddress: `127.0.0.1:${barePort}`,
};
await fromLoad({ setup });
const SCENARIOS = [
  'raw_hmget',
  'featurizer_store',
  'featurizer_grpc',
  'bare_grpc',
  'raw_hgetall_get',
  'inference_lookup',
].filter((name) => !args.includes('--only') || opt('only', '').split(',').includes(name));
const runLoad = (run: LoadRun): Promise<LoadResult> => fromLoad<LoadResult>(run);

// Warm-up: JIT, connections, the gRPC channel.
for (const scenario of SCENARIOS) await runLoad({ scenario, rps: 500, seconds: 1 });
interface Sample {
  latencies: number[];
  errors: Record<string, number>;
  achieved: number[];
  sent: number[];
  lag: number[];
  /** Server CPU (ms) over the runs, for the scenarios served by a process of ours. */
  cpuMs: number;
}
const samples: Record<string, Record<number, Sample>> = {};
const loadDuring: number[][] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const rps of RATES) {
    for (const name of SCENARIOS) {
      const pid = servers[name];
      const cpuBefore = pid === undefined ? 0 : cpuMs(pid);
      const res = await runLoad({ scenario: name, rps, seconds: SECONDS });
      const s = ((samples[name] ??= {})[rps] ??= {
        latencies: [],
        errors: {},
        achieved: [],
        sent: [],
        lag: [],
        cpuMs: 0,
      });
      if (pid !== undefined) s.cpuMs += cpuMs(pid) - cpuBefore;
      s.latencies.push(...res.latencies);
      for (const [k, v] of Object.entries(res.errors)) s.errors[k] = (s.errors[k] ?? 0) + v;
      s.achieved.push(res.achievedRps);
      s.sent.push(res.sendRps);
      s.lag.push(res.maxSendLagMs);
      log(
        `round ${r + 1} ${rps} rps ${name}: ${res.latencies.length} ok, errors ${JSON.stringify(res.errors)}, sent at ${res.sendRps}/s (lag ${res.maxSendLagMs} ms), p99 ${round(
          percentile(
            [...res.latencies].sort((a, b) => a - b),
            99,
          ),
        )} ms`,
      );
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
      errors: Object.values(s.errors).reduce((a, b) => a + b, 0),
      ...(Object.keys(s.errors).length > 0 ? { error_kinds: s.errors } : {}),
      send_rps: s.sent,
      achieved_rps: s.achieved,
      max_send_lag_ms: s.lag,
      ...(servers[name] !== undefined ? { server_cpu_us_per_call: round((s.cpuMs * 1000) / sorted.length, 0) } : {}),
    };
  }
}
const p99 = (name: string, rps: number): number =>
  (results[name]?.[rps] as { p99_ms: number } | undefined)?.p99_ms ?? Number.NaN;
const ratios: Record<string, Record<string, number>> = {};
for (const rps of RATES) {
  ratios[rps] = {
    featurizer_store: round(p99('featurizer_store', rps) / p99('raw_hmget', rps), 2),
    inference_lookup: round(p99('inference_lookup', rps) / p99('raw_hgetall_get', rps), 2),
    featurizer_grpc: round(p99('featurizer_grpc', rps) / p99('raw_hmget', rps), 2),
    featurizer_grpc_to_bare_grpc: round(p99('featurizer_grpc', rps) / p99('bare_grpc', rps), 2),
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
  // The serving stack's own cost: GetFeatures against a bare grpc-js server on the same read.
  grpc_p99_ratio_to_bare_grpc: Math.max(...RATES.map((r) => ratios[r]!['featurizer_grpc_to_bare_grpc']!)),
  grpc_cpu_ratio_to_bare_grpc: Math.max(
    ...RATES.map((r) => {
      const cpu = (name: string) =>
        (results[name]?.[r] as { server_cpu_us_per_call?: number } | undefined)?.server_cpu_us_per_call ?? Number.NaN;
      return round(cpu('featurizer_grpc') / cpu('bare_grpc'), 2);
    }),
  ),
  generator_behind: Object.entries(samples).flatMap(([name, byRate]) =>
    Object.entries(byRate)
      .filter(([rps, s]) => Math.min(...s.sent) < 0.95 * Number(rps))
      .map(([rps, s]) => `${name}@${rps}: sent at ${Math.min(...s.sent)}/s`),
  ),
  feast_p99_ms: FEAST_P99_MS,
  p99_ms: Object.fromEntries(RATES.map((r) => [r, Object.fromEntries(SCENARIOS.map((n) => [n, p99(n, r)]))])),
  ratios,
  scenarios: results,
};

load.send({ close: true });
featurizer.kill('SIGTERM');
bare.kill('SIGTERM');
// Its CPU profile (--cpu-prof-dir) is written as it exits.
await new Promise((r) => {
  featurizer.once('exit', r);
  setTimeout(r, 30_000).unref();
});
await dropKeys(stack.REDIS_URL, `bench:${suffix}:`);
await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
await admin.close();
if (!args.includes('--no-write'))
  writeFileSync(new URL('./results/features-online.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
