// The clustered engines of `./scripts/omen stack up --cluster`, for fault tests: which node
// serves what, and stopping, freezing and bringing back one node through the stack's supervisor.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { isCluster, type RedisClient } from '@omen/service';
import {
  CLICKHOUSE_CLUSTER_NODES,
  clusterNodePid,
  clusterPorts,
  isOurProcess,
  nodeDir,
  readPidFile,
  readStackEnv,
  replicaOutOfSync,
  stackPaths,
  stackUp,
} from '@omen/stack';

/** True when `.omen/stack.env` (or the environment) says the clustered stack runs: OMEN_CLUSTER=1. */
export function clusterStackUp(): boolean {
  return readStackEnv().OMEN_CLUSTER === '1';
}

export interface ClusterNode {
  readonly index: number;
  /** Its client port. */
  readonly port: number;
  /** The node's process id now (the supervisor restarts it under a new one). */
  pid(): number | null;
  /** SIGKILL (a crash) or SIGSTOP (a stall), with the supervisor told not to restart it. */
  fail(signal: 'SIGKILL' | 'SIGSTOP'): void;
  /** SIGCONT when stopped, and lets the supervisor start it again when killed. */
  restore(): void;
}

function node(engine: 'redis-cluster' | 'nats-cluster', index: number, port: number): ClusterNode {
  const dir = join(stackPaths().stack, engine);
  let stopped: number | null = null;
  const pid = () => clusterNodePid(dir, index);
  return {
    index,
    port,
    pid,
    fail(signal) {
      const p = pid();
      if (p === null) throw new Error(`${engine} node ${index} has no pid file: is the cluster stack up?`);
      writeFileSync(join(nodeDir(dir, index), 'hold'), '');
      process.kill(p, signal);
      if (signal === 'SIGSTOP') stopped = p;
    },
    restore() {
      if (stopped !== null) {
        try {
          process.kill(stopped, 'SIGCONT');
        } catch {
          /* gone meanwhile */
        }
        stopped = null;
      }
      rmSync(join(nodeDir(dir, index), 'hold'), { force: true });
    },
  };
}

export function redisClusterNodes(): ClusterNode[] {
  return clusterPorts().redis.map((port, i) => node('redis-cluster', i, port));
}

export function natsClusterNodes(): ClusterNode[] {
  return clusterPorts().nats.map((port, i) => node('nats-cluster', i, port));
}

/** CLICKHOUSE_CLUSTER of the clustered stack (the `remote_servers` name its ON CLUSTER DDL uses), or ''. */
export function clickhouseClusterName(): string {
  return readStackEnv().CLICKHOUSE_CLUSTER ?? '';
}

export interface ClickHouseClusterNode {
  /** The stack's engine name, e.g. clickhouse-02-r1. */
  readonly name: (typeof CLICKHOUSE_CLUSTER_NODES)[number]['name'];
  readonly shard: string;
  readonly replica: string;
  /** Its own HTTP address (its local tables, not the cluster's view). */
  readonly url: string;
  /** SIGKILL (a crash); ClickHouse nodes have no supervisor, so it stays down until `restart`. */
  kill(): void;
  /** Starts it again as `./scripts/omen stack up --cluster <name>` would; resolves once it answers. */
  restart(): Promise<void>;
}

/** The ClickHouse cluster's nodes (2 shards × 2 replicas), in the stack's order. */
export function clickhouseClusterNodes(): ClickHouseClusterNode[] {
  const ports = clusterPorts().clickhouse;
  return CLICKHOUSE_CLUSTER_NODES.map((n, i) => ({
    ...n,
    url: `http://127.0.0.1:${ports[i]?.http}`,
    kill() {
      const rec = readPidFile(join(stackPaths().run, `${n.name}.pid`));
      if (!rec || !isOurProcess(rec)) throw new Error(`${n.name} is not running: is the cluster stack up?`);
      process.kill(rec.pid, 'SIGKILL');
    },
    async restart() {
      const r = await stackUp({ engines: [n.name], cluster: true });
      const mine = r.engines.find((e) => e.name === n.name);
      if (mine?.state !== 'started' && mine?.state !== 'running')
        throw new Error(`${n.name} did not restart: ${mine?.state} ${mine?.detail ?? ''} ${mine?.logTail ?? ''}`);
    },
  }));
}

/** CLUSTER NODES as one node sees it: port → role and, for masters, whether it is failing. */
async function clusterView(
  port: number,
): Promise<{ port: number; master: boolean; failed: boolean; slots: [number, number][] }[]> {
  const redis = new Redis(port, '127.0.0.1', {
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  redis.on('error', () => undefined);
  try {
    const text = String(await redis.call('CLUSTER', 'NODES'));
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const f = line.split(' ');
        const slots = f.slice(8).flatMap((s): [number, number][] => {
          const m = /^(\d+)(?:-(\d+))?$/.exec(s);
          return m ? [[Number(m[1]), Number(m[2] ?? m[1])]] : [];
        });
        return {
          port: Number(/:(\d+)@/.exec(f[1] ?? '')?.[1]),
          master: (f[2] ?? '').includes('master'),
          failed: /fail/.test(f[2] ?? ''),
          slots,
        };
      });
  } finally {
    redis.disconnect();
  }
}

/** The node now serving `slot` as master, asked of any live node. */
export async function redisMasterOfSlot(slot: number, skip: readonly number[] = []): Promise<ClusterNode> {
  const nodes = redisClusterNodes();
  for (const n of nodes) {
    if (skip.includes(n.port)) continue;
    try {
      const view = await clusterView(n.port);
      const owner = view.find((v) => v.master && !v.failed && v.slots.some(([a, b]) => slot >= a && slot <= b));
      const found = owner && nodes.find((x) => x.port === owner.port);
      if (found) return found;
    } catch {
      /* ask the next */
    }
  }
  throw new Error(`no live node knows a master for slot ${slot}`);
}

/**
 * Waits until every node answers, reports ok with every slot served, every replica is in sync with
 * its master, and all nodes agree on
 * which masters serve slots. The last matters after a restart: an old master comes back from its
 * nodes.conf believing it still owns its slots and accepts writes until gossip tells it that its
 * replica took over (those writes are then lost — Redis Cluster's own window, which the fault
 * tests must not let the next test run into).
 */
export async function waitRedisClusterHealthy(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let why = '';
  while (Date.now() < deadline) {
    why = '';
    const views = new Set<string>();
    for (const n of redisClusterNodes()) {
      try {
        const masters = (await clusterView(n.port))
          .filter((v) => v.master && !v.failed && v.slots.length > 0)
          .map((v) => v.port);
        views.add(masters.sort((x, y) => x - y).join(','));
      } catch (err) {
        why = `node ${n.port}: ${(err as Error).message}`;
      }
    }
    if (!why && views.size !== 1) why = `nodes disagree on the masters: ${[...views].join(' | ')}`;
    for (const n of why ? [] : redisClusterNodes()) {
      const redis = new Redis(n.port, '127.0.0.1', {
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
        connectTimeout: 1000,
      });
      redis.on('error', () => undefined);
      try {
        const info = String(await redis.call('CLUSTER', 'INFO'));
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info))
          why = `node ${n.port}: ${/cluster_state:\w+/.exec(info)?.[0]}`;
        // A restored node rejoins as a replica and resyncs in full; until then it could not
        // replace its master, so the next fault would leave the cluster down.
        const unsynced = why ? null : replicaOutOfSync(String(await redis.info('replication')));
        if (unsynced) why = `node ${n.port}: ${unsynced}`;
      } catch (err) {
        why = `node ${n.port}: ${(err as Error).message}`;
      } finally {
        redis.disconnect();
      }
      if (why) break;
    }
    if (!why) return;
    await sleep(250);
  }
  throw new Error(`the Redis Cluster is not healthy after ${timeoutMs} ms: ${why}`);
}

/** Waits until every NATS node answers /healthz and routes to every other. */
export async function waitNatsClusterHealthy(timeoutMs = 60_000): Promise<void> {
  const { natsMonitor } = clusterPorts();
  const deadline = Date.now() + timeoutMs;
  let why = '';
  while (Date.now() < deadline) {
    why = '';
    for (const port of natsMonitor) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/routez`, { signal: AbortSignal.timeout(1000) });
        const routes = ((await res.json()) as { num_routes?: number }).num_routes ?? 0;
        if (routes < natsMonitor.length - 1) why = `monitor ${port}: ${routes} routes`;
        const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (health.status !== 200) why = `monitor ${port}: /healthz ${health.status}`;
      } catch (err) {
        why = `monitor ${port}: ${(err as Error).message}`;
      }
      if (why) break;
    }
    if (!why) return;
    await sleep(250);
  }
  throw new Error(`the NATS cluster is not healthy after ${timeoutMs} ms: ${why}`);
}

/** The NATS cluster's monitoring ports (/connz, /routez), by node index. */
export function natsClusterMonitorPorts(): readonly number[] {
  return clusterPorts().natsMonitor;
}

/**
 * Deletes every key matching `pattern` (a SCAN MATCH glob), one key per command: on a Redis
 * Cluster, SCAN walks one node's keys, so each master is scanned in turn, and a DEL of many keys
 * would be CROSSSLOT. Answers how many were deleted.
 */
export async function deleteKeysMatching(client: RedisClient, pattern: string): Promise<number> {
  const nodes: Redis[] = isCluster(client) ? client.nodes('master') : [client];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) deleted += await client.unlink(key);
    } while (cursor !== '0');
  }
  return deleted;
}
