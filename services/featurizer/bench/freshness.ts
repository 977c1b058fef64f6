// ./scripts/omen bench freshness — how old a prediction is when it lands: signed GitHub push
// webhook → ingest → scm.commits.v1 → featurizer → features.commits.v1 → inference (stream mode,
// a GBDT champion from a registry directory) → predictions.v1, at steady --rates (default 50,200
// commits/s) for --seconds each (default 20). JSON on the last line of stdout.
//
// Ingest, the featurizer and inference run as their real main.ts in child processes on the dev
// stack (random topics, groups, prefixes); this process sends the webhooks open-loop (one commit
// per push, a fresh sha each) and reads features.commits.v1 and predictions.v1 with groups of its
// own. Per commit, from epoch-ms stamps the pipeline itself writes:
//
//   sent      the webhook's scheduled send time (this process)
//   acked     when ingest answered 202 (after enrichment and Kafka's acknowledgement)
//   scm       when this process read the commit from scm.commits.v1 (the record timestamps of
//             scm and features topics are the commit's event time, not a produce time)
//   computed  the features' computed_at (the featurizer's clock when it computed the commit)
//   features  when this process read the features from features.commits.v1
//   predicted predictions.v1 record timestamp (inference's produce call); latency_ms in the
//             prediction is inference's own scoring time for the batch
//
// end to end = predicted − sent. Working time = ingest's webhook (acked − sent: its handler with
// the enrichment from the git mirror and the produce, and any queueing in its HTTP server, which
// no stamp separates) + the featurizer's batch work up to the produce (features − computed, this
// process's read polling with maxWaitTimeMs 20) + inference's scoring (latency_ms). Waiting = the
// rest: the featurizer's and inference's fetches (the dev broker answers a waiting fetch when a
// record arrives, as Kafka does: packages/stack/native, "How a fetch waits"), the wait behind the
// batch in progress, and the produce acknowledgements between stages. Both at p50/p95/p99 of end to end (the split of
// the commits at that percentile, averaged over the commits within ±1 % of it).
// Every webhook must be accepted and every commit predicted: otherwise the JSON lists the
// `failures` (with where the lost commits stopped) and the bench exits 1.
// Options: --git PATH (required), --rates 50,200, --seconds N, --cpu-prof-dir DIR, --no-write.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import type { CommitFeatures, Prediction } from '@omen/contracts';
import { createKafka } from '@omen/kafka';
import { freePort, stackEnv } from '@omen/testing';
import { createTestRegistry, jitGbdt } from '../../inference/test/helpers/fixtures.ts';
import { gitOrder } from '../src/recovery/steps.ts';
import { dropKeys } from './git.ts';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const RATES = opt('rates', '50,200').split(',').map(Number);
const SECONDS = Number(opt('seconds', '20'));
const SECRET = 'bench-webhook-secret';
// Webhooks carry no line counts: ingest enriches each commit from a git mirror of the pushed
// repository, so the pushes name real commits of --git PATH (a clone of ../shared/data/
// express.bundle), in the history's canonical order (parents first).
const gitArg = args.indexOf('--git');
if (gitArg < 0)
  throw new Error('give --git PATH: a clone whose commits the webhooks push (e.g. of ../shared/data/express.bundle)');
const GIT = resolve(args[gitArg + 1]!);
const history = gitOrder(GIT, 'HEAD');
const log = (msg: string): void => void process.stderr.write(`[bench freshness] ${msg}\n`);
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const stack = stackEnv();
const suffix = randomBytes(4).toString('hex');
const topics = {
  commits: `bench-fresh-commits-${suffix}`,
  prs: `bench-fresh-prs-${suffix}`,
  issues: `bench-fresh-issues-${suffix}`,
  features: `bench-fresh-features-${suffix}`,
  labels: `bench-fresh-labels-${suffix}`,
  predictions: `bench-fresh-predictions-${suffix}`,
};
const database = `fzfresh_${suffix}`;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

/** Starts `main` with `env` and waits for its /readyz. */
async function startService(name: string, main: string, env: Record<string, string>): Promise<{ metrics: string }> {
  const [grpcPort, metricsPort] = [await freePort(), await freePort()];
  // --cpu-prof-dir DIR: every service writes a CPU profile there when it stops (where the time goes).
  const prof = args.includes('--cpu-prof-dir') ? ['--cpu-prof', `--cpu-prof-dir=${opt('cpu-prof-dir', '.')}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', resolve(root, main)], {
    env: {
      ...process.env,
      ...stack,
      LOG_LEVEL: 'error',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const metrics = `http://127.0.0.1:${metricsPort}`;
  for (
    let i = 0;
    !(await fetch(`${metrics}/readyz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    if (child.exitCode !== null || i > 1200) throw new Error(`${name} did not become ready`);
    await sleep(100);
  }
  log(`${name} ready`);
  return { metrics };
}

// The same push as `bench ingest`: the GitHub docs' example (ingest's test dependency), one
// commit with a fresh sha.
const require = createRequire(resolve(root, 'services/ingest/package.json'));
const pushExample = (require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[])
  .find((d) => d.name === 'push')!
  .examples.find((e) => (e['commits'] as unknown[]).length > 0)!;
const SHA = 'f'.repeat(40);
const pushedRepo = (pushExample['repository'] as { full_name: string }).full_name;
const template = JSON.stringify({
  ...pushExample,
  after: SHA,
  commits: [{ ...(pushExample['commits'] as object[])[0], id: SHA }],
  head_commit: null,
});

interface Stamp {
  sent: number;
  acked?: number;
  scm?: number;
  computed?: number;
  features?: number;
  predicted?: number;
  scoringMs?: number;
}

const admin = createClickHouse({ url: stack.CLICKHOUSE_URL });
await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
cleanups.push(async () => {
  await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  await admin.close();
});
cleanups.push(() => dropKeys(stack.REDIS_URL, `bench:${suffix}:`));
const registryCleanups: (() => Promise<void>)[] = [];
const registry = await createTestRegistry((fn) => registryCleanups.push(fn));
await registry.publish('jit-defect', 'v1', jitGbdt(1), ['champion']);
cleanups.push(async () => {
  for (const fn of registryCleanups) await fn();
});

const stamps = new Map<string, Stamp>();
const kafka = createKafka({
  brokers: stack.KAFKA_BROKERS,
  registryUrl: stack.SCHEMA_REGISTRY_URL,
  clientId: `bench-fresh-${suffix}`,
});
cleanups.push(() => kafka.close());
try {
  const ingestHttp = await freePort();
  const ingestSvc = await startService('ingest', 'services/ingest/src/main.ts', {
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(ingestHttp),
    INGEST_GITHUB_WEBHOOK_SECRET: SECRET,
    INGEST_PSEUDONYM_KEY: 'bench-pseudonym-key-0123456789',
    INGEST_TOPIC_COMMITS: topics.commits,
    INGEST_TOPIC_PULL_REQUESTS: topics.prs,
    INGEST_TOPIC_ISSUES: topics.issues,
    INGEST_DEDUP_NAMESPACE: `bench-fresh-${suffix}:`,
    INGEST_RATE_LIMIT: '0',
    INGEST_DEDUP_WINDOW: '10m',
    INGEST_GIT_MIRRORS: `github:${pushedRepo}=${GIT}`,
  });
  const featurizerSvc = await startService('featurizer', 'services/featurizer/src/main.ts', {
    CLICKHOUSE_DATABASE: database,
    FEATURIZER_GROUP: `bench-fresh-${suffix}`,
    FEATURIZER_TOPIC_COMMITS: topics.commits,
    FEATURIZER_TOPIC_ISSUES: topics.issues,
    FEATURIZER_TOPIC_FEATURES: topics.features,
    FEATURIZER_TOPIC_LABELS: topics.labels,
    FEATURIZER_STATE_PREFIX: `bench:${suffix}:state`,
    FEATURIZER_ONLINE_PREFIX: `bench:${suffix}:online`,
  });
  await startService('inference', 'services/inference/src/main.ts', {
    CLICKHOUSE_DATABASE: database,
    INFERENCE_REGISTRY_DIR: registry.dir,
    INFERENCE_REGISTRY_POLL: '0',
    INFERENCE_STREAM: 'true',
    INFERENCE_STREAM_GROUP: `bench-fresh-inference-${suffix}`,
    INFERENCE_TOPIC_FEATURES: topics.features,
    INFERENCE_TOPIC_PREDICTIONS: topics.predictions,
    INFERENCE_PREDICTIONS_TABLE: `predictions_${suffix}`,
    INFERENCE_FEATURE_PREFIX: `bench:${suffix}:online`,
    INFERENCE_CACHE_PREFIX: `bench:${suffix}:predictions`,
  });

  // This process's readers: the pipeline's own stamps, by sha.
  const stampOf = (sha: string): Stamp | undefined => stamps.get(sha);
  const readers = [
    await kafka.runConsumer<Record<string, unknown>>({
      group: `bench-fresh-read-commits-${suffix}`,
      topics: [topics.commits],
      maxWaitTimeMs: 20,
      handler: (r) => {
        const s = stampOf(String(r.value['sha']));
        if (s) s.scm ??= Date.now();
        return Promise.resolve();
      },
    }),
    await kafka.runConsumer<CommitFeatures>({
      group: `bench-fresh-read-features-${suffix}`,
      topics: [topics.features],
      maxWaitTimeMs: 20,
      handler: (r) => {
        const s = stampOf(r.value.sha);
        if (s && r.value.feature_set === 'jit_change_metrics') {
          s.computed ??= r.value.computed_at;
          s.features ??= Date.now();
        }
        return Promise.resolve();
      },
    }),
    await kafka.runConsumer<Prediction>({
      group: `bench-fresh-read-predictions-${suffix}`,
      topics: [topics.predictions],
      maxWaitTimeMs: 20,
      handler: (r) => {
        const s = stampOf(r.value.entity_id);
        if (s && s.predicted === undefined) {
          s.predicted = r.timestamp;
          s.scoringMs = r.value.latency_ms ?? 0;
        }
        return Promise.resolve();
      },
    }),
  ];
  cleanups.push(async () => {
    for (const r of readers) await r.stop();
  });
  await Promise.all(readers.map((r) => r.ready));

  let seq = 0;
  let commitNo = 0;
  const salt = randomBytes(6).toString('hex'); // delivery ids
  const send = async (sha: string): Promise<void> => {
    const body = template.replaceAll(SHA, sha);
    const res = await fetch(`http://127.0.0.1:${ingestHttp}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `${salt}-${seq++}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${text.slice(0, 300)}`);
  };

  const pct = (sorted: readonly number[], p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const runs: {
    rate: number;
    failed: number;
    first_failure?: string;
    lost: number;
    lost_at: Record<string, number>;
    p95: { e2e_ms: number; waiting_share: number };
  }[] = [];
  // Warm-up: JIT, connections, the first fetches, the model session.
  for (const rps of [
    ...RATES.map((r) => ({ rps: Math.min(r, 50), seconds: 3, warm: true })),
    ...RATES.map((r) => ({ rps: r, seconds: SECONDS, warm: false })),
  ]) {
    const mine: [string, Stamp][] = [];
    const total = Math.round(rps.rps * rps.seconds);
    const interval = 1000 / rps.rps;
    const failures: string[] = [];
    const t0 = performance.now();
    const wall0 = Date.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const sha = history[commitNo++];
      if (sha === undefined)
        throw new Error(`the history has only ${history.length} commits: lower --seconds or --rates`);
      const stamp: Stamp = { sent: wall0 + (due - t0) };
      stamps.set(sha, stamp);
      mine.push([sha, stamp]);
      inflight.push(
        send(sha).then(
          () => void (stamp.acked = Date.now()),
          (err: unknown) => void failures.push(String(err)),
        ),
      );
    }
    const sendSeconds = (performance.now() - t0) / 1000;
    await Promise.all(inflight);
    const loadDuring = loadavg();
    // Wait for every prediction (or 60 s of no progress).
    let last = -1;
    let since = performance.now();
    for (;;) {
      const n = mine.filter(
        ([, s]) => s.predicted !== undefined && s.features !== undefined && s.scm !== undefined,
      ).length;
      if (n === total - failures.length) break;
      if (n !== last) {
        last = n;
        since = performance.now();
      } else if (performance.now() - since > 30_000) break;
      await sleep(100);
    }
    const count = (k: keyof Stamp): number => mine.filter(([, s]) => s[k] !== undefined).length;
    log(
      `${rps.rps}/s: acked ${count('acked')}, scm ${count('scm')}, features ${count('features')}, predicted ${count('predicted')} of ${total}${failures.length > 0 ? `; ${failures.length} failed, first: ${failures[0]}` : ''}`,
    );
    if (count('predicted') === 0) {
      const text = await (await fetch(`${featurizerSvc.metrics}/metrics`)).text();
      log(
        text
          .split('\n')
          .filter((l) => /^kafka_consumer_(records|lag)|^kafka_producer/.test(l))
          .join('\n'),
      );
    }
    // Ingest's own view of its webhooks (cumulative since it started): enrichment and publish time.
    const ingestMetrics = (await (await fetch(`${ingestSvc.metrics}/metrics`)).text())
      .split('\n')
      .filter((l) => /^omen_ingest_(enrich|publish)_duration_seconds_(sum|count)/.test(l));
    log(ingestMetrics.join(' | '));
    // The featurizer's view (cumulative): its handler time per batch and its stages.
    const featurizerMetrics = (await (await fetch(`${featurizerSvc.metrics}/metrics`)).text())
      .split('\n')
      .filter((l) => /^omen_(kafka_consumer_handling_duration_seconds|featurizer_\w+_seconds)_(sum|count)/.test(l));
    log(featurizerMetrics.join(' | '));
    if (rps.warm) continue;
    const done = mine
      .map(([, s]) => s)
      .filter(
        (s) =>
          s.acked !== undefined &&
          s.predicted !== undefined &&
          s.features !== undefined &&
          s.scm !== undefined &&
          s.computed !== undefined,
      );
    const rows = done
      .map((s) => {
        const e2e = s.predicted! - s.sent;
        const stages = {
          // The webhook's own answer: ingest's handler with its enrichment and Kafka's ack.
          ingest: s.acked! - s.sent,
          toFeaturizer: s.computed! - s.acked!,
          featurizer: s.features! - s.computed!,
          toInference: s.predicted! - (s.scoringMs ?? 0) - s.features!,
          inference: s.scoringMs ?? 0,
        };
        const working = Math.max(0, stages.ingest) + Math.max(0, stages.featurizer) + stages.inference;
        return { e2e, working, waiting: Math.max(0, e2e - working), stages };
      })
      .sort((a, b) => a.e2e - b.e2e);
    const at = (p: number): Record<string, number> & { e2e_ms: number; waiting_share: number } => {
      const target = pct(
        rows.map((r) => r.e2e),
        p,
      );
      const lo = Math.floor(rows.length * (p / 100 - 0.01));
      const hi = Math.ceil(rows.length * (p / 100 + 0.01));
      const near = rows.slice(Math.max(0, lo), Math.min(rows.length, Math.max(hi, lo + 1)));
      const mean = (f: (r: (typeof rows)[number]) => number): number =>
        near.reduce((s, r) => s + f(r), 0) / near.length;
      return {
        e2e_ms: round(target),
        working_ms: round(mean((r) => r.working)),
        waiting_ms: round(mean((r) => r.waiting)),
        waiting_share: round(mean((r) => r.waiting) / mean((r) => r.e2e), 2),
        ingest_ms: round(mean((r) => r.stages.ingest)),
        scm_to_featurizer_ms: round(mean((r) => r.stages.toFeaturizer)),
        featurizer_ms: round(mean((r) => r.stages.featurizer)),
        features_to_inference_ms: round(mean((r) => r.stages.toInference)),
        inference_ms: round(mean((r) => r.stages.inference)),
      };
    };
    // Where the commits that never got a prediction stopped: accepted (202) but never on
    // scm.commits.v1, on it but never featurized, featurized but never predicted.
    const lostAt = {
      ingest: count('acked') - count('scm'),
      featurizer: count('scm') - count('features'),
      inference: count('features') - count('predicted'),
    };
    const run = {
      rate: rps.rps,
      seconds: rps.seconds,
      sent: total,
      failed: failures.length,
      ...(failures.length > 0 ? { first_failure: failures[0] } : {}),
      predicted: done.length,
      lost: total - failures.length - done.length,
      lost_at: lostAt,
      achieved_send_rate: round(total / sendSeconds),
      loadAverage: loadDuring,
      p50: at(50),
      p95: at(95),
      p99: at(99),
    };
    log(JSON.stringify(run));
    runs.push(run);
  }
  const worst = runs.reduce((a, b) => (a.p95.e2e_ms >= b.p95.e2e_ms ? a : b));
  const result = {
    bench: 'freshness',
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    setup:
      'ingest, featurizer, inference (stream mode, GBDT champion) as main.ts child processes on the dev stack; webhooks sent open-loop from this process on the same cores; one repository (one partition)',
    // Every webhook must be accepted and every accepted commit predicted: a lost commit is a
    // failed bench (exit code 1), whatever its latencies.
    failures: runs.flatMap((r) => [
      ...(r.failed !== 0 ? [`${r.rate}/s: ${r.failed} webhooks refused (${r.first_failure ?? ''})`] : []),
      ...(r.lost !== 0 ? [`${r.rate}/s: ${r.lost} commits lost ${JSON.stringify(r.lost_at)}`] : []),
    ]),
    // The worst rate's p95 (the issue's keys), then every rate in full.
    freshness_p95_ms: worst.p95.e2e_ms,
    waiting_share_p95: Math.max(...runs.map((r) => r.p95.waiting_share)),
    runs,
  };
  if (!args.includes('--no-write'))
    writeFileSync(new URL('./results/freshness.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.failures.length > 0) {
    log(`FAILED: ${result.failures.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => log(`cleanup: ${String(err)}`));
}
process.exit(process.exitCode ?? 0);
