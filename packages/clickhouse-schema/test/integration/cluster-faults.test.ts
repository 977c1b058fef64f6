// Faults on the ClickHouse cluster of `./scripts/omen stack up --cluster` (2 shards × 2 replicas,
// ZooKeeper), with the real schema in cluster mode: a writer inserts commit features the way the
// featurizer does (through @omen/clickhouse into the Distributed table, retrying a failed batch
// unchanged: at-least-once) while replicas are SIGKILLed, restarted and SIGSTOPped, the node the
// writer talks to included. Afterwards every row is there exactly once after FINAL, on both
// replicas of its shard, and on no other shard.
//
// It kills and stalls our own servers, so it runs only when this checkout's stack is in cluster
// mode (a cluster engine of ours alive); OMEN_CLUSTER=1 makes a missing cluster a failure, not a
// skip. Restarts go through stackUp, as an engineer's `stack up --cluster <node>` would.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, formatDateTime, ident, sql, type ClickHouse } from '@omen/clickhouse';
import {
  CLICKHOUSE_CLUSTER_NAME,
  CLICKHOUSE_CLUSTER_NODES,
  isOurProcess,
  readPidFile,
  stackPaths,
  stackStatus,
  stackUp,
  type ClusterEngineName,
} from '@omen/stack';
import { migrate } from '../../src/index.ts';

const status = await stackStatus();
const enabled =
  status.cluster && status.engines.filter((e) => e.name.startsWith('clickhouse-')).every((e) => e.state === 'running');
if (process.env['OMEN_CLUSTER'] === '1' && !enabled)
  throw new Error(
    'OMEN_CLUSTER=1 but this checkout has no ClickHouse cluster running: ./scripts/omen stack up --cluster',
  );

type NodeName = (typeof CLICKHOUSE_CLUSTER_NODES)[number]['name'];

function pidOf(name: ClusterEngineName): number {
  const rec = readPidFile(`${stackPaths().run}/${name}.pid`);
  if (!rec || !isOurProcess(rec)) throw new Error(`${name} is not running`);
  return rec.pid;
}

function urlOf(name: NodeName): string {
  const e = status.engines.find((x) => x.name === name);
  if (!e?.address) throw new Error(`no address for ${name}`);
  return e.address;
}

async function restart(name: NodeName): Promise<void> {
  const r = await stackUp({ engines: [name], cluster: true });
  const mine = r.engines.find((e) => e.name === name);
  if (mine?.state !== 'started' && mine?.state !== 'running')
    throw new Error(`${name} did not restart: ${mine?.state} ${mine?.detail ?? ''} ${mine?.logTail ?? ''}`);
}

describe.runIf(enabled)(`commit features on ClickHouse cluster ${CLICKHOUSE_CLUSTER_NAME} under replica faults`, () => {
  const database = `chfault_${randomBytes(4).toString('hex')}`;
  let admin: ClickHouse;
  const stopped = new Set<number>();

  beforeAll(async () => {
    admin = createClickHouse({
      url: urlOf('clickhouse-01-r1'),
      cluster: CLICKHOUSE_CLUSTER_NAME,
      requestTimeoutMs: 300_000,
    });
    await admin.command(
      sql`CREATE DATABASE IF NOT EXISTS ${ident(database)} ON CLUSTER ${ident(CLICKHOUSE_CLUSTER_NAME)}`,
    );
    await migrate(
      createClickHouse({
        url: urlOf('clickhouse-01-r1'),
        database,
        cluster: CLICKHOUSE_CLUSTER_NAME,
        requestTimeoutMs: 300_000,
      }),
    );
  }, 600_000);

  afterAll(async () => {
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
    for (const n of CLICKHOUSE_CLUSTER_NODES) {
      const rec = readPidFile(`${stackPaths().run}/${n.name}.pid`);
      if (!rec || !isOurProcess(rec)) await restart(n.name).catch(() => undefined);
    }
    await admin
      ?.command(sql`DROP DATABASE IF EXISTS ${ident(database)} ON CLUSTER ${ident(CLICKHOUSE_CLUSTER_NAME)}`)
      .catch(() => undefined);
    await admin?.close();
  }, 600_000);

  it('loses and duplicates nothing after FINAL while replicas are killed, restarted and stalled; the restarted ones catch up', async () => {
    const repos = Array.from({ length: 24 }, (_, i) => `repo-${i}`);
    const row = (seq: number): Record<string, unknown> => {
      const t = 1_700_000_000 + seq;
      return {
        event_id: `ev-${seq}`,
        repo_id: repos[seq % repos.length],
        sha: `${seq.toString(16).padStart(40, '0')}`,
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        event_time: formatDateTime(new Date(t * 1000)),
        event_time_ms: t * 1000,
        computed_at: formatDateTime(new Date(t * 1000)),
        computed_at_ms: t * 1000,
        feature_names: ['la', 'ld'],
        feature_values: [seq, seq % 7],
      };
    };

    // The writer: batches of 40 through the Distributed table, a failed batch resent unchanged.
    const writer = createClickHouse({
      url: urlOf('clickhouse-01-r1'),
      database,
      cluster: CLICKHOUSE_CLUSTER_NAME,
      requestTimeoutMs: 60_000,
    });
    let stop = false;
    let acknowledged = 0;
    let retries = 0;
    let slowestAckMs = 0;
    const errors = new Map<string, number>();
    const writing = (async () => {
      for (let batch = 0; !stop; batch++) {
        const rows = Array.from({ length: 40 }, (_, i) => row(batch * 40 + i));
        const began = Date.now();
        for (;;) {
          try {
            await writer.insert('commit_features', rows);
            break;
          } catch (err) {
            retries++;
            const key =
              String((err as Error).message)
                .split('\n')[0]
                ?.slice(0, 100) ?? 'unknown';
            errors.set(key, (errors.get(key) ?? 0) + 1);
            await sleep(300);
          }
        }
        slowestAckMs = Math.max(slowestAckMs, Date.now() - began);
        acknowledged = (batch + 1) * 40;
        await sleep(50);
      }
    })();

    const waitForMore = async (rows: number): Promise<void> => {
      const target = acknowledged + rows;
      while (acknowledged < target) await sleep(100);
    };
    const stall = async (name: NodeName, ms: number): Promise<void> => {
      const pid = pidOf(name);
      process.kill(pid, 'SIGSTOP');
      stopped.add(pid);
      await sleep(ms);
      process.kill(pid, 'SIGCONT');
      stopped.delete(pid);
    };

    try {
      await waitForMore(400);
      // A replica of the shard the writer's node does not hold: inserts fail over to its partner.
      process.kill(pidOf('clickhouse-02-r1'), 'SIGKILL');
      await waitForMore(400);
      await restart('clickhouse-02-r1');
      await waitForMore(200);
      // The writer's node's own partner stalls: replication to it waits, inserts do not.
      await stall('clickhouse-01-r2', 10_000);
      await waitForMore(200);
      // A replica that receives the other shard's inserts stalls (less than ZooKeeper's session).
      await stall('clickhouse-02-r2', 10_000);
      await waitForMore(200);
      // The node the writer talks to: its inserts fail until it is back, then are resent.
      process.kill(pidOf('clickhouse-01-r1'), 'SIGKILL');
      await sleep(3000);
      await restart('clickhouse-01-r1');
      await waitForMore(400);
    } finally {
      stop = true;
      await writing;
      await writer.close();
    }
    const expected = acknowledged;

    // Every node read directly, its local table: both replicas of a shard converge to the same rows.
    const local = new Map(
      CLICKHOUSE_CLUSTER_NODES.map((n) => [
        n.name,
        createClickHouse({ url: urlOf(n.name), database, cluster: '', requestTimeoutMs: 60_000 }),
      ]),
    );
    const finalCount = async (name: NodeName): Promise<number> =>
      Number(
        (await local.get(name)!.query<{ n: string }>(sql`SELECT count() AS n FROM commit_features_local FINAL`))[0]
          ?.n ?? -1,
      );
    const began = Date.now();
    let counts: Record<string, number> = {};
    for (;;) {
      counts = Object.fromEntries(
        await Promise.all(CLICKHOUSE_CLUSTER_NODES.map(async (n) => [n.name, await finalCount(n.name)] as const)),
      );
      const converged =
        counts['clickhouse-01-r1'] === counts['clickhouse-01-r2'] &&
        counts['clickhouse-02-r1'] === counts['clickhouse-02-r2'] &&
        (counts['clickhouse-01-r1'] ?? 0) + (counts['clickhouse-02-r1'] ?? 0) === expected;
      if (converged || Date.now() - began > 180_000) break;
      await sleep(1000);
    }
    const catchUpMs = Date.now() - began;

    const reader = createClickHouse({
      url: urlOf('clickhouse-01-r1'),
      database,
      cluster: CLICKHOUSE_CLUSTER_NAME,
      requestTimeoutMs: 60_000,
    });
    const seen = await reader.query<{ event_id: string; n: string }>(
      sql`SELECT event_id, count() AS n FROM commit_features FINAL GROUP BY event_id`,
    );
    const raw = Number((await reader.query<{ n: string }>(sql`SELECT count() AS n FROM commit_features`))[0]?.n ?? -1);
    const shardRepos = await Promise.all(
      ['clickhouse-01-r1', 'clickhouse-02-r1'].map(async (n) =>
        (
          await local
            .get(n as NodeName)!
            .query<{ repo_id: string }>(sql`SELECT DISTINCT repo_id FROM commit_features_local`)
        ).map((r) => r.repo_id),
      ),
    );
    const replicas = await Promise.all(
      CLICKHOUSE_CLUSTER_NODES.map(
        async (n) =>
          (
            await local
              .get(n.name)!
              .query<{ is_readonly: number; queue_size: number }>(
                sql`SELECT is_readonly, queue_size FROM system.replicas WHERE database = ${database} AND table = 'commit_features_local'`,
              )
          )[0],
      ),
    );
    await reader.close();
    for (const c of local.values()) await c.close();

    console.log(
      JSON.stringify({
        acknowledgedRows: expected,
        rawRowsBeforeMerge: raw,
        retries,
        slowestAckMs,
        catchUpMs,
        counts,
        errors: Object.fromEntries(errors),
      }),
    );

    expect(expected).toBeGreaterThanOrEqual(1800);
    expect(counts).toEqual({
      'clickhouse-01-r1': counts['clickhouse-01-r2'],
      'clickhouse-01-r2': counts['clickhouse-01-r1'],
      'clickhouse-02-r1': counts['clickhouse-02-r2'],
      'clickhouse-02-r2': counts['clickhouse-02-r1'],
    });
    const ids = new Set(seen.map((r) => r.event_id));
    const missing = Array.from({ length: expected }, (_, i) => `ev-${i}`).filter((id) => !ids.has(id));
    expect(missing, 'acknowledged rows missing after FINAL').toEqual([]);
    expect(
      seen.filter((r) => Number(r.n) !== 1),
      'rows more than once after FINAL',
    ).toEqual([]);
    expect(seen).toHaveLength(expected);
    // One repository's rows on one shard: FINAL has every copy of a key in one place.
    expect(shardRepos[0]?.filter((r) => shardRepos[1]?.includes(r))).toEqual([]);
    expect((shardRepos[0]?.length ?? 0) + (shardRepos[1]?.length ?? 0)).toBe(repos.length);
    for (const r of replicas) expect(r).toMatchObject({ is_readonly: 0 });
  }, 900_000);
});
