// The clustered engines of `./scripts/omen stack up --cluster`: Redis Cluster (3 masters, 3
// replicas) and a NATS cluster (3 servers, routes, JetStream), each from Debian's packages.
//
// Each cluster is one engine to the stack (one pid file, one process group, one probe): a bash
// supervisor starts every node and restarts a node that exits, unless the node's `hold` file
// exists. Fault tests use that: create `hold`, SIGKILL or SIGSTOP the node (its pid is in
// `node-<i>/pid`), check that the cluster carries on, remove `hold` and the node comes back
// and rejoins. `stack down` signals the whole group, so no node outlives the cluster.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ClusterPorts } from './config.ts';

/** REDIS_URL of the cluster: `redis-cluster://host:port,host:port,...` (every node a seed). */
export function redisClusterAddress(ports: ClusterPorts): string {
  return `redis-cluster://${ports.redis.map((p) => `127.0.0.1:${p}`).join(',')}`;
}

/** NATS_URL of the cluster: the servers, comma-separated (the client fails over among them). */
export function natsClusterAddress(ports: ClusterPorts): string {
  return ports.nats.map((p) => `nats://127.0.0.1:${p}`).join(',');
}

export function nodeDir(clusterDir: string, i: number): string {
  return join(clusterDir, `node-${i}`);
}

/** The pid of a cluster node as its supervisor last started it, or null. */
export function clusterNodePid(clusterDir: string, i: number): number | null {
  try {
    const pid = Number(readFileSync(join(nodeDir(clusterDir, i), 'pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The supervisor: one restart loop per node (held while `node-<i>/hold` exists), then `setup`
 * once every node answers, then wait. Plain bash so it needs nothing beyond the engines.
 */
function supervisorScript(clusterDir: string, nodes: readonly string[], setup: string): string {
  const loops = nodes.map(
    (cmd, i) =>
      `(while :; do\n  if [ -e ${shellQuote(join(nodeDir(clusterDir, i), 'hold'))} ]; then sleep 0.2; continue; fi\n` +
      `  ${cmd} &\n  echo $! > ${shellQuote(join(nodeDir(clusterDir, i), 'pid'))}\n  wait $!\n  echo "node ${i} exited ($?)"; sleep 0.5\ndone) &`,
  );
  return [
    '#!/usr/bin/env bash',
    '# omen stack cluster supervisor (written by packages/stack/src/cluster.ts)',
    'set -u',
    ...loops,
    setup,
    'wait',
    '',
  ].join('\n');
}

export function redisNodeConfig(dir: string, port: number, busPort: number): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    `cluster-port ${busPort}`,
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    // A failed master is replaced after ~3 s instead of the default 15 s, so fault tests are short.
    'cluster-node-timeout 3000',
    `dir ${dir}`,
    'appendonly yes',
    'appendfsync everysec',
    'daemonize no',
    'logfile ""',
    'save ""',
    '',
  ].join('\n');
}

/** Writes the nodes' configs and the supervisor; returns the supervisor's path. */
export function prepareRedisCluster(
  clusterDir: string,
  ports: ClusterPorts,
  redisServer: string,
  redisCli: string,
): string {
  const nodes = ports.redis.map((port, i) => {
    const dir = nodeDir(clusterDir, i);
    mkdirSync(dir, { recursive: true });
    // A `hold` left by a fault test that died before restoring the node would keep it down for good.
    rmSync(join(dir, 'hold'), { force: true });
    writeFileSync(join(dir, 'redis.conf'), redisNodeConfig(dir, port, ports.redisBus[i] ?? 0));
    return `${shellQuote(redisServer)} ${shellQuote(join(dir, 'redis.conf'))}`;
  });
  const first = ports.redis[0] ?? 0;
  const all = ports.redis.map((p) => `127.0.0.1:${p}`).join(' ');
  // Created once: a restarted cluster finds itself again from each node's nodes.conf.
  const setup = [
    `for p in ${ports.redis.join(' ')}; do until ${shellQuote(redisCli)} -p "$p" ping >/dev/null 2>&1; do sleep 0.2; done; done`,
    `if ${shellQuote(redisCli)} -p ${first} cluster info | grep -q '^cluster_known_nodes:1\\b'; then`,
    `  ${shellQuote(redisCli)} --cluster create ${all} --cluster-replicas 1 --cluster-yes`,
    'fi',
  ].join('\n');
  const script = join(clusterDir, 'supervise.sh');
  writeFileSync(script, supervisorScript(clusterDir, nodes, setup), { mode: 0o755 });
  return script;
}

export function natsNodeConfig(i: number, dir: string, ports: ClusterPorts): string {
  const routes = ports.natsRoutes.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`);
  return [
    `server_name: omen-nats-${i}`,
    `listen: 127.0.0.1:${ports.nats[i]}`,
    `http: 127.0.0.1:${ports.natsMonitor[i]}`,
    `jetstream { store_dir: ${JSON.stringify(join(dir, 'jetstream'))}, max_memory_store: 64MB, max_file_store: 1GB }`,
    `cluster { name: omen, listen: 127.0.0.1:${ports.natsRoutes[i]}, routes: [${routes.join(', ')}] }`,
    '',
  ].join('\n');
}

export function prepareNatsCluster(clusterDir: string, ports: ClusterPorts, natsServer: string): string {
  const nodes = ports.nats.map((_, i) => {
    const dir = nodeDir(clusterDir, i);
    mkdirSync(dir, { recursive: true });
    // A `hold` left by a fault test that died before restoring the node would keep it down for good.
    rmSync(join(dir, 'hold'), { force: true });
    writeFileSync(join(dir, 'nats.conf'), natsNodeConfig(i, dir, ports));
    return `${shellQuote(natsServer)} -c ${shellQuote(join(dir, 'nats.conf'))}`;
  });
  const script = join(clusterDir, 'supervise.sh');
  writeFileSync(script, supervisorScript(clusterDir, nodes, ':'), { mode: 0o755 });
  return script;
}

function reason(err: unknown): string {
  return (err as Error).message ?? String(err);
}

/**
 * Why a node's INFO replication says it is a replica that could not take over from its master
 * now, or null. A replica fails over only if its data is recent (cluster-replica-validity-factor),
 * and one that has not finished a sync since it started counts as disconnected since forever: a
 * restarted cluster's replicas (a full resync each: the AOF keeps no replication id) cannot
 * replace a master lost before their sync ends, and the cluster stays down. So a cluster is
 * healthy only once every replica's link is up.
 */
export function replicaOutOfSync(replicationInfo: string): string | null {
  const field = (name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(replicationInfo)?.[1];
  if (field('role') !== 'slave') return null;
  const link = field('master_link_status');
  if (link === 'up') return null;
  return `replica of ${field('master_host') ?? '?'}:${field('master_port') ?? '?'} not in sync yet (master_link_status:${link ?? '?'}${field('master_sync_in_progress') === '1' ? ', sync in progress' : ''})`;
}

/** Every node answers and sees a healthy cluster: all slots served, every node known, every replica in sync. */
export function redisClusterProbe(ports: ClusterPorts): () => Promise<string | null> {
  return async () => {
    for (const port of ports.redis) {
      const redis = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        connectTimeout: 2000,
      });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        const info = String(await redis.call('CLUSTER', 'INFO'));
        const field = (name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
        if (field('cluster_state') !== 'ok') return `node ${port}: cluster_state ${field('cluster_state') ?? '?'}`;
        if (field('cluster_slots_ok') !== '16384')
          return `node ${port}: ${field('cluster_slots_ok') ?? '?'} of 16384 slots ok`;
        if (field('cluster_known_nodes') !== String(ports.redis.length))
          return `node ${port}: knows ${field('cluster_known_nodes') ?? '?'} of ${ports.redis.length} nodes`;
        const unsynced = replicaOutOfSync(String(await redis.info('replication')));
        if (unsynced) return `node ${port}: ${unsynced}`;
      } catch (err) {
        return `node ${port}: ${reason(err)}`;
      } finally {
        redis.disconnect();
      }
    }
    return null;
  };
}

/** Every server healthy (JetStream included) and routed to both others. */
export function natsClusterProbe(ports: ClusterPorts): () => Promise<string | null> {
  return async () => {
    for (const port of ports.natsMonitor) {
      try {
        const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (health.status !== 200)
          return `monitor ${port}: /healthz answered ${health.status} ${(await health.text()).slice(0, 120)}`;
        const routez = (await (
          await fetch(`http://127.0.0.1:${port}/routez`, { signal: AbortSignal.timeout(2000) })
        ).json()) as { num_routes?: number };
        if ((routez.num_routes ?? 0) < ports.nats.length - 1)
          return `monitor ${port}: ${routez.num_routes ?? 0} routes of ${ports.nats.length - 1}`;
        const jsz = (await (
          await fetch(`http://127.0.0.1:${port}/jsz`, { signal: AbortSignal.timeout(2000) })
        ).json()) as { meta_cluster?: { leader?: string } };
        if (!jsz.meta_cluster?.leader) return `monitor ${port}: no JetStream meta leader yet`;
      } catch (err) {
        const e = err as { cause?: { code?: string } };
        return `monitor ${port}: ${e.cause?.code ?? reason(err)}`;
      }
    }
    return null;
  };
}
