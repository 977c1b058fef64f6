// A Redis Cluster restarted over its data (`stack down`, then `stack up --cluster` with the nodes'
// nodes.conf and AOF kept) must survive losing a master right after `up` answers. Each replica
// full-resyncs after a restart (the AOF keeps no replication id), and until that sync ends Redis
// counts it as disconnected since forever: past cluster-replica-validity-factor, so it never takes
// over ("Currently unable to failover: Disconnected from master for longer than allowed") and the
// cluster stays down. `up` therefore waits until every replica's link is up. Also: a `hold` file
// left by an interrupted fault test no longer keeps its node down after a restart, and `down`
// waits for every node (a replica writing its first AOF refuses SIGTERM).
//
// Its own cluster (own state directory, ports OMEN_CLUSTER_PORT_BASE + 900 …): only the Redis
// Cluster engine, with enough data that a resync takes a while. Runs in the cluster job
// (OMEN_CLUSTER=1 in the stack's environment), skipped in the single-node suite.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterPorts, nodeDir, readStackEnv, replicaOutOfSync, stackDown, stackUp } from '../../src/index.ts';

const enabled = readStackEnv().OMEN_CLUSTER === '1';
const base = clusterPorts(process.env).redis[0]! - 40 + 900;
const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '', OMEN_CLUSTER_PORT_BASE: String(base) };
const ports = clusterPorts(env).redis;
const home = mkdtempSync(join(tmpdir(), 'omen-redis-restart-'));
const clusterDir = join(home, 'stack', 'redis-cluster');

function node(port: number): Redis {
  const r = new Redis(port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  r.on('error', () => undefined);
  return r;
}

async function ask<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = node(port);
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

/** port → the slot ranges it serves as a live master, as `from` sees it. */
async function masters(from: number): Promise<Map<number, string>> {
  const text = String(await ask(from, (r) => r.call('CLUSTER', 'NODES')));
  const out = new Map<number, string>();
  for (const line of text.trim().split('\n')) {
    const f = line.split(' ');
    if ((f[2] ?? '').includes('master') && !(f[2] ?? '').includes('fail') && f.length > 8)
      out.set(Number(/:(\d+)@/.exec(f[1] ?? '')?.[1]), f.slice(8).join(' '));
  }
  return out;
}

async function up(): Promise<void> {
  const r = await stackUp({ home, env, cluster: true, engines: ['redis-cluster'], timeoutMs: 180_000 });
  const e = r.engines.find((x) => x.name === 'redis-cluster');
  if (e?.state !== 'started') throw new Error(`redis-cluster ${e?.state}: ${e?.detail ?? ''}\n${e?.logTail ?? ''}`);
}

afterAll(async () => {
  await stackDown({ home, env, cluster: true }).catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
}, 120_000);

describe.runIf(enabled)('a Redis Cluster restarted over its data', () => {
  it('has every replica in sync once up answers, and fails a master over at once', async () => {
    await up();
    const client = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
    const value = 'v'.repeat(2000);
    const keys = 40_000;
    for (let i = 0; i < keys; i += 2000)
      await Promise.all(Array.from({ length: 2000 }, (_, j) => client.set(`k:{${(i + j) % 997}}:${i + j}`, value)));
    await client.quit();
    // What an interrupted fault test leaves: a node told not to restart.
    writeFileSync(join(nodeDir(clusterDir, 1), 'hold'), '');
    await stackDown({ home, env, cluster: true });
    // Every node is gone when down returns, none still holding its port.
    for (const port of ports) await expect(ask(port, (r) => r.ping())).rejects.toThrow();

    await up();
    const syncStates = await Promise.all(
      ports.map((p) => ask(p, async (r) => replicaOutOfSync(String(await r.info('replication'))))),
    );
    expect(syncStates).toEqual(ports.map(() => null));

    // Right away: SIGKILL the master serving slot ranges, with its supervisor told to leave it down.
    const before = await masters(ports[0]!);
    const [victim, range] = [...before.entries()][0]!;
    const index = ports.indexOf(victim);
    writeFileSync(join(nodeDir(clusterDir, index), 'hold'), '');
    process.kill(Number(readFileSync(join(nodeDir(clusterDir, index), 'pid'), 'utf8')), 'SIGKILL');
    const other = ports.find((p) => p !== victim)!;
    const deadline = Date.now() + 60_000;
    let taken: number | undefined;
    while (Date.now() < deadline && taken === undefined) {
      await sleep(250);
      const now = await masters(other).catch(() => new Map<number, string>());
      taken = [...now.entries()].find(([p, r]) => p !== victim && r === range)?.[0];
    }
    expect(taken, `a replica taking over ${range} from ${victim}`).toBeDefined();
    const client2 = new Cluster([{ host: '127.0.0.1', port: other }]);
    try {
      const sample = Array.from({ length: 200 }, (_, i) => `k:{${(i * 37) % 997}}:${i * 37}`);
      const values = await Promise.all(sample.map((k) => client2.get(k)));
      expect(values.filter((v) => v === value)).toHaveLength(sample.length);
    } finally {
      client2.disconnect();
    }
    rmSync(join(nodeDir(clusterDir, index), 'hold'), { force: true });
  }, 600_000);
});
