// Faults during a backfill through the running services on the clustered engines
// (`./scripts/omen stack up --cluster`: ClickHouse 2 shards × 2 replicas with ZooKeeper, Redis
// Cluster 3+3, NATS 3 servers). Real history at full speed: express.bundle cloned and replayed by
// `backfill --git` (the CLI, its own process) through ingest's main.ts → Kafka → the featurizer's
// main.ts → ClickHouse (Distributed tables over Replicated ones) and Redis (online features), with
// two ab-router processes on the NATS cluster. While the featurizer is storing the history:
//   - a replica of the ClickHouse shard holding the repository is SIGKILLed, restarted later;
//   - the Redis master serving the repository's slot (the featurizer's history script and online
//     hashes) is SIGKILLed: its replica takes over;
//   - the NATS server holding ab-router connections is SIGKILLed, and later another one SIGSTOPped;
//     an experiment created on one ab-router after each must reach the other over NATS (its
//     periodic re-read is set an hour away, so only the control message can explain it).
// Then every commit is in ClickHouse exactly once after FINAL, equal on both replicas of its
// shard and absent from the other shard, every commit's online features are in Redis, and the
// same processes (no restart) are ready and take new work: a second backfill is featurized.
//
// Runs only on the cluster stack (OMEN_CLUSTER=1 in .omen/stack.env); skipped on one node.
// OMEN_EXPRESS_FIRST_PARENTS=N replays the history up to the N-th first-parent commit instead (its
// ancestors), as services/featurizer's express-full test allows; docs/cluster-ci.md says what CI uses.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { loadGrpcObject, type abrouterV1 } from '@omen/contracts';
import { featureSetId, jitChangeMetricsV1, onlineFeaturesKey } from '@omen/features';
import { callUnary, createClient } from '@omen/grpc';
import { createRedisClient, keySlot, type RedisClient } from '@omen/service';
import {
  clickhouseClusterName,
  clickhouseClusterNodes,
  clusterStackUp,
  deleteKeysMatching,
  freePort,
  natsClusterMonitorPorts,
  natsClusterNodes,
  randomName,
  redisMasterOfSlot,
  stackEnv,
  startServiceProcess,
  waitFor,
  waitNatsClusterHealthy,
  waitRedisClusterHealthy,
  type ClickHouseClusterNode,
  type ClusterNode,
  type ServiceProcess,
} from '@omen/testing';
import { dataDir } from '../helpers/express.ts';
import { featurizerEnv, featurizerNames } from '../helpers/names.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');
const cluster = clusterStackUp();
const env = cluster ? stackEnv() : ({} as ReturnType<typeof stackEnv>);
const firstParents = Number(process.env['OMEN_EXPRESS_FIRST_PARENTS'] ?? 0);
const REPO = 'github:expressjs/express';
// The work after the faults: the oldest commits of express's numstat export, as another repository.
const AFTER_REPO = 'github:expressjs/express-after-faults';
const AFTER_COMMITS = 300;
const ADMIN_TOKEN = 'cluster-faults-admin-token-0123456789';

type Experiment = abrouterV1.Experiment__Output;

const names = { ...featurizerNames(), prs: randomName('prs'), dedup: randomName('dedup') };
const database = randomName('chbackfill').replace(/-/g, '_');
const abPrefix = `omen-test:${randomName('abfaults')}`;
const abSubject = `experiment.changed.${randomName('faults')}`;
let commits = 0;
let work: string;
let clone: string;
let admin: ClickHouse;
let ch: ClickHouse;
let redis: RedisClient;
const services: { name: string; process: ServiceProcess; metrics: number }[] = [];
const children: { kill(signal: NodeJS.Signals): unknown }[] = [];
const held: ClusterNode[] = [];
const killedClickHouse = new Set<ClickHouseClusterNode>();

function log(line: string): void {
  process.stderr.write(`cluster-backfill-faults: ${line}\n`);
}

/** The repository's rows after FINAL in one node's own replica: how many, and a digest of them. */
async function localDigest(node: ClickHouseClusterNode, repo: string): Promise<{ rows: number; digest: string }> {
  const local = createClickHouse({ url: node.url, database, cluster: '' });
  try {
    const [row] = await local.query<{ rows: string; digest: string }>(
      sql`SELECT count() AS rows, toString(sum(cityHash64(sha, arrayStringConcat(arrayMap(x -> toString(x), feature_values), ',')))) AS digest FROM commit_features_local FINAL WHERE repo_id = ${repo} AND feature_set = 'jit_change_metrics'`,
    );
    return { rows: Number(row?.rows ?? 0), digest: row?.digest ?? '' };
  } finally {
    await local.close();
  }
}

async function startService(
  name: string,
  env: Record<string, string>,
): Promise<ServiceProcess & { readonly metrics: number }> {
  const metrics = await freePort();
  const p = await startServiceProcess(name, { ...env, METRICS_PORT: String(metrics) }, { timeoutMs: 300_000 });
  services.push({ name, process: p, metrics });
  return Object.assign(p, { metrics });
}

async function ready(metrics: number): Promise<number> {
  return fetch(`http://127.0.0.1:${metrics}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
    (r) => r.status,
    () => 0,
  );
}

/** `./scripts/omen backfill` as a process; resolves with its JSON result line. */
function backfill(
  source: ['--git' | '--jsonl', string],
  repo: string,
  ingest: string,
): Promise<Record<string, unknown>> {
  return new Promise((res, rej) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'services/ingest/src/backfill/cli.ts',
        ...source,
        '--repo',
        repo,
        '--ingest',
        ingest,
        '--checkpoint',
        join(work, `${randomName('checkpoint')}.json`),
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
    child.once('error', rej);
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) rej(new Error(`backfill ${source.join(' ')} exited with ${code}: ${err}`));
      else res(JSON.parse(last) as Record<string, unknown>);
    });
  });
}

/** Rows and distinct commits of `repo` through the Distributed table (before merges: duplicates count). */
async function countOf(repo: string, final = false): Promise<{ rows: number; shas: number }> {
  const [row] = await ch.query<{ rows: string; shas: string }>(
    final
      ? sql`SELECT count() AS rows, uniqExact(sha) AS shas FROM commit_features FINAL WHERE repo_id = ${repo} AND feature_set = 'jit_change_metrics'`
      : sql`SELECT count() AS rows, uniqExact(sha) AS shas FROM commit_features WHERE repo_id = ${repo} AND feature_set = 'jit_change_metrics'`,
  );
  return { rows: Number(row?.rows ?? 0), shas: Number(row?.shas ?? 0) };
}

/** Waits until `repo` has `want` distinct commits; fails when the count stops moving for `stallMs`. */
async function allStored(repo: string, want: number, timeoutMs: number, stallMs = 240_000): Promise<void> {
  let last = -1;
  let movedAt = Date.now();
  try {
    await waitFor(
      async () => {
        const { shas } = await countOf(repo).catch(() => ({ shas: last }));
        if (shas === want) return true;
        if (shas !== last) [last, movedAt] = [shas, Date.now()];
        else if (Date.now() - movedAt > stallMs)
          throw new Error(`${repo}: stuck at ${shas} of ${want} commits for ${stallMs / 1000} s`);
        return undefined;
      },
      { timeoutMs, intervalMs: 500, message: `all ${want} commits of ${repo} in ClickHouse` },
    );
  } catch (err) {
    for (const s of services) log(`${s.name}, last log lines:\n${s.process.logs.slice(-15).join('\n')}`);
    throw err;
  }
}

/** The commits of the clone's history, newest last (what `backfill --git` publishes). */
function cloneShas(): string[] {
  return execFileSync('git', ['-C', clone, 'rev-list', '--reverse', 'HEAD'], { encoding: 'utf8' }).trim().split('\n');
}

/** Which NATS server holds the most ab-router connections now (by node index), from each /connz. */
async function natsServerOfAbRouters(): Promise<{ index: number; connections: number }> {
  const counts = await Promise.all(
    natsClusterMonitorPorts().map(async (port) => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/connz?limit=1024`, { signal: AbortSignal.timeout(2000) });
        const body = (await res.json()) as { connections?: { name?: string }[] };
        return (body.connections ?? []).filter((c) => c.name === 'ab-router').length;
      } catch {
        return -1;
      }
    }),
  );
  const index = counts.indexOf(Math.max(...counts));
  return { index, connections: counts[index] ?? 0 };
}

describe.skipIf(!cluster)('a backfill through the running services while cluster nodes fail', () => {
  beforeAll(async () => {
    await Promise.all([waitRedisClusterHealthy(120_000), waitNatsClusterHealthy(120_000)]);
    work = mkdtempSync(join(tmpdir(), 'omen-cluster-faults-'));
    clone = join(work, 'express');
    execFileSync('git', ['clone', '-q', join(dataDir(), 'express.bundle'), clone], { stdio: 'ignore' });
    if (firstParents > 0) {
      const tip = execFileSync('git', ['-C', clone, 'rev-list', '--first-parent', '--reverse', 'HEAD'], {
        encoding: 'utf8',
      }).split('\n')[firstParents - 1]!;
      execFileSync('git', ['-C', clone, 'reset', '-q', '--hard', tip]);
    }
    commits = cloneShas().length;
    const lines = gunzipSync(readFileSync(join(dataDir(), 'express-commits.jsonl.gz')))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    writeFileSync(join(work, 'after.jsonl'), `${lines.slice(0, AFTER_COMMITS).join('\n')}\n`);

    admin = createClickHouse({ url: env.CLICKHOUSE_URL, requestTimeoutMs: 300_000 });
    await admin.command(
      sql`CREATE DATABASE IF NOT EXISTS ${ident(database)} ON CLUSTER ${ident(clickhouseClusterName())}`,
    );
    ch = createClickHouse({ url: env.CLICKHOUSE_URL, database, requestTimeoutMs: 120_000 });
    redis = createRedisClient(env.REDIS_URL);
    redis.on('error', () => undefined);
  }, 600_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(services.map((s) => s.process.stop()));
    for (const n of held) n.restore();
    for (const node of killedClickHouse) await node.restart().catch(() => undefined);
    await admin
      ?.command(sql`DROP DATABASE IF EXISTS ${ident(database)} ON CLUSTER ${ident(clickhouseClusterName())}`)
      .catch(() => undefined);
    await admin?.close();
    await ch?.close();
    if (redis) {
      for (const prefix of [names.state, names.online, names.dedup, abPrefix])
        await deleteKeysMatching(redis, `*${prefix}*`).catch(() => undefined);
      redis.disconnect();
    }
    // The next file must not meet a cluster still failing over.
    await waitRedisClusterHealthy(120_000).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
  }, 600_000);

  it('stores every commit once (FINAL, both replicas), online in Redis, control messages arrive, services recover in place', async () => {
    const started = performance.now();
    const engines: Record<string, string> = {
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
      CLICKHOUSE_URL: env.CLICKHOUSE_URL,
      CLICKHOUSE_CLUSTER: clickhouseClusterName(),
      REDIS_URL: env.REDIS_URL,
      NATS_URL: env.NATS_URL,
    };
    const abRouterEnv = {
      REDIS_URL: engines['REDIS_URL']!,
      NATS_URL: engines['NATS_URL']!,
      ADMIN_TOKEN,
      ABROUTER_KEY_PREFIX: abPrefix,
      ABROUTER_NATS_SUBJECT: abSubject,
      // An hour: a replica that lists another's experiment heard it on NATS.
      ABROUTER_REFRESH: '3600000',
    };
    const [ingest, featurizer, routerA, routerB] = await Promise.all([
      startService('ingest', {
        ...engines,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(await freePort()),
        INGEST_PSEUDONYM_KEY: 'cluster-faults-test-pseudonym-key',
        INGEST_TOPIC_COMMITS: names.commits,
        INGEST_TOPIC_PULL_REQUESTS: names.prs,
        INGEST_TOPIC_ISSUES: names.issues,
        INGEST_DEDUP_NAMESPACE: `${names.dedup}:`,
      }),
      startService('featurizer', { ...engines, ...featurizerEnv(names, database) }),
      startService('ab-router', abRouterEnv),
      startService('ab-router', abRouterEnv),
    ]);
    const pids = services.map((s) => s.process.child.pid);
    log(
      `services SERVING after ${((performance.now() - started) / 1000).toFixed(1)} s; ${commits} commits to backfill`,
    );
    const AbRouter = loadGrpcObject('abrouter').omen.abrouter.v1.AbRouter as unknown as new (
      a: string,
      c: grpc.ChannelCredentials,
    ) => grpc.Client;
    const a = createClient(AbRouter, routerA.address, { token: ADMIN_TOKEN });
    const b = createClient(AbRouter, routerB.address, { token: ADMIN_TOKEN });
    /** Created on router A; resolves once router B lists it, which only NATS can have told it. */
    const experimentReachesB = async (label: string): Promise<number> => {
      const model = randomName(`m-${label}`);
      const t0 = performance.now();
      // Sent once both routers are ready again (NATS reconnected, Redis failed over): core NATS
      // keeps nothing for a subscriber between servers, and a router that could not publish
      // leaves the change to the periodic re-read (by design); this is about what is sent after.
      await waitFor(async () => (await ready(routerA.metrics)) === 200 && (await ready(routerB.metrics)) === 200, {
        timeoutMs: 120_000,
        intervalMs: 250,
        message: `both routers ready before experiment ${label}`,
      });
      let lastError = '';
      const id = await waitFor(
        async () => {
          try {
            const created = await callUnary<Experiment>(a, 'CreateExperiment', {
              spec: {
                name: `faults ${label}`,
                model_name: model,
                arms: [
                  { name: 'control', model_version: 'champion', weight: 1 },
                  { name: 'treatment', model_version: 'v2', weight: 1 },
                ],
              },
            });
            return created.experiment_id;
          } catch (err) {
            lastError = (err as Error).message;
            // An earlier attempt whose reply was lost may have stored it.
            const listed = await callUnary<abrouterV1.ListExperimentsResponse__Output>(a, 'ListExperiments', {
              model_name: model,
            }).catch(() => undefined);
            return listed?.experiments[0]?.experiment_id;
          }
        },
        { timeoutMs: 120_000, intervalMs: 500, message: `router A to create experiment ${label}` },
      ).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; last error: ${lastError}`);
      });
      await waitFor(
        async () => {
          const listed = await callUnary<abrouterV1.ListExperimentsResponse__Output>(b, 'ListExperiments', {
            model_name: model,
          }).catch(() => undefined);
          return listed?.experiments.some((e) => e.experiment_id === id);
        },
        { timeoutMs: 60_000, intervalMs: 250, message: `router B to hear experiment ${label} on NATS` },
      ).catch((err: unknown) => {
        log(`router A, last log lines:\n${routerA.logs.slice(-10).join('\n')}`);
        log(`router B, last log lines:\n${routerB.logs.slice(-10).join('\n')}`);
        throw err;
      });
      return (performance.now() - t0) / 1000;
    };
    // The subject works before any fault (and both routers see the same Redis).
    await experimentReachesB('before');

    const slot = keySlot(onlineFeaturesKey(REPO, 'x', names.online));
    const repoShard = await admin.query<{ shard: string }>(sql`SELECT toString(cityHash64(${REPO}) % 2 + 1) AS shard`);
    // The shard of the repository's rows (weights 1:1, so key % 2 picks it), and in it the first
    // replica that is not the node the services talk to (in_order: inserts go to the first live one).
    const shard = `0${repoShard[0]!.shard}`;
    const chNodes = clickhouseClusterNodes();
    const chVictim = chNodes.find((n) => n.shard === shard && n.url !== env.CLICKHOUSE_URL)!;
    const backfillStarted = performance.now();
    const run = backfill(['--git', clone], REPO, ingest.address);
    run.catch(() => undefined);

    // The faults, while the featurizer is storing the history: at least a few batches in, far from all.
    const atFault = await waitFor(
      async () => {
        const { shas } = await countOf(REPO).catch(() => ({ shas: 0 }));
        return shas >= Math.min(300, commits / 10) ? shas : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 100, message: 'the featurizer to store its first commits' },
    );
    const redisVictim = await redisMasterOfSlot(slot);
    const natsTarget = await natsServerOfAbRouters();
    const natsVictim = natsClusterNodes()[natsTarget.index]!;
    killedClickHouse.add(chVictim);
    chVictim.kill();
    redisVictim.fail('SIGKILL');
    held.push(redisVictim);
    natsVictim.fail('SIGKILL');
    held.push(natsVictim);
    log(
      `at ${atFault} of ${commits} commits stored: SIGKILLed ${chVictim.name} (shard ${shard}), Redis master ${redisVictim.port} (slot ${slot}), NATS server ${natsVictim.index} (${natsTarget.connections} ab-router connections)`,
    );

    // A control message after the NATS kill reaches the other router (the killed server's clients reconnect).
    const afterNatsKill = await experimentReachesB('after-nats-kill');
    // Redis: the replica took the slot over.
    const newMaster = await waitFor(
      () =>
        redisMasterOfSlot(slot, [redisVictim.port]).then(
          (m) => (m.port !== redisVictim.port ? m : undefined),
          () => undefined, // no master known while the election runs
        ),
      { timeoutMs: 120_000, intervalMs: 250, message: `a replica to take over slot ${slot}` },
    );
    const duringFaults = await countOf(REPO);
    await sleep(10_000);
    const afterTen = await countOf(REPO);
    log(
      `control message after the NATS kill heard in ${afterNatsKill.toFixed(1)} s; Redis slot ${slot} now on ${newMaster.port}; commits stored ${duringFaults.shas} → ${afterTen.shas} in 10 s with the replica down`,
    );

    // Back: the ClickHouse replica restarted (it catches up from ZooKeeper), the Redis node rejoins
    // as a replica, the NATS server rejoins the routes.
    await chVictim.restart();
    killedClickHouse.delete(chVictim);
    redisVictim.restore();
    natsVictim.restore();
    held.length = 0;
    await waitNatsClusterHealthy(120_000);

    // A stalled NATS server (SIGSTOP: connections open, nothing answers), the one now holding the most ab-router connections.
    const stallTarget = natsClusterNodes()[(await natsServerOfAbRouters()).index]!;
    stallTarget.fail('SIGSTOP');
    held.push(stallTarget);
    const afterNatsStall = await experimentReachesB('after-nats-stall');
    stallTarget.restore();
    held.length = 0;
    log(`control message with NATS server ${stallTarget.index} stopped heard in ${afterNatsStall.toFixed(1)} s`);

    const result = await run;
    expect(result).toMatchObject({ status: 'complete', position: commits, published: commits, rejected: 0 });
    await allStored(REPO, commits, 900_000);
    const backfillSeconds = (performance.now() - backfillStarted) / 1000;

    // Exactly once after FINAL, whatever the retries inserted twice.
    expect(await countOf(REPO, true)).toEqual({ rows: commits, shas: commits });
    const shas = cloneShas();
    const stored = await ch.query<{ sha: string }>(
      sql`SELECT DISTINCT sha FROM commit_features WHERE repo_id = ${REPO} AND feature_set = 'jit_change_metrics'`,
    );
    expect(new Set(stored.map((r) => r.sha))).toEqual(new Set(shas));
    // Both replicas of the shard hold the same rows (the restarted one caught up), the other shard none.
    const replicas = chNodes.filter((n) => n.shard === shard);
    const other = chNodes.filter((n) => n.shard !== shard);
    const digests = await waitFor(
      async () => {
        const d = await Promise.all(replicas.map((r) => localDigest(r, REPO).catch(() => undefined)));
        return d.every((x) => x?.rows === commits) && d[0]!.digest === d[1]!.digest ? d : undefined;
      },
      {
        timeoutMs: 300_000,
        intervalMs: 1000,
        message: `both replicas of shard ${shard} to hold all ${commits} commits`,
      },
    );
    expect(digests[0]).toEqual(digests[1]);
    for (const o of other) expect((await localDigest(o, REPO)).rows).toBe(0);

    // Every commit's online features in Redis (one slot: one pipeline).
    const field = featureSetId(jitChangeMetricsV1);
    const pipeline = redis.pipeline();
    for (const sha of shas) pipeline.hexists(onlineFeaturesKey(REPO, sha, names.online), field);
    const replies = (await pipeline.exec()) ?? [];
    expect(replies.filter(([err, v]) => !err && v === 1).length).toBe(commits);

    // The same processes, ready, and taking new work.
    expect(services.map((s) => s.process.child.pid)).toEqual(pids);
    expect(services.filter((s) => !s.process.alive()).map((s) => s.name)).toEqual([]);
    expect(await Promise.all(services.map((s) => ready(s.metrics)))).toEqual(services.map(() => 200));
    const after = await backfill(['--jsonl', join(work, 'after.jsonl')], AFTER_REPO, ingest.address);
    expect(after).toMatchObject({ status: 'complete', published: AFTER_COMMITS, rejected: 0 });
    await allStored(AFTER_REPO, AFTER_COMMITS, 300_000);
    expect(await countOf(AFTER_REPO, true)).toEqual({ rows: AFTER_COMMITS, shas: AFTER_COMMITS });
    await experimentReachesB('after-recovery');
    expect(featurizer.alive() && routerB.alive()).toBe(true);
    a.close();
    b.close();
    log(
      `${commits} commits: backfill ${Number(result['seconds']).toFixed(1)} s (${Math.round(Number(result['rate']))} commits/s), all stored once ${backfillSeconds.toFixed(1)} s after it started; ${AFTER_COMMITS} more after the faults; total ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 1_800_000);
});
