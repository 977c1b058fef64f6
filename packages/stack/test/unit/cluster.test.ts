import { describe, expect, it } from 'vitest';
import { natsClusterAddress, natsNodeConfig, redisClusterAddress, redisNodeConfig } from '../../src/cluster.ts';
import { clusterPorts } from '../../src/config.ts';
import { modeEngineNames } from '../../src/engines.ts';
import { parseRedisAddress, natsServers } from '@omen/config';

describe('the clustered stack', () => {
  it('starts the single-node engines without --cluster, every clustered form with it', () => {
    expect(modeEngineNames(false)).toEqual(['kafka', 'schema-registry', 'clickhouse', 'redis', 'nats', 'prometheus']);
    expect(modeEngineNames(true)).toEqual([
      'kafka',
      'schema-registry',
      'zookeeper',
      'clickhouse-01-r1',
      'clickhouse-01-r2',
      'clickhouse-02-r1',
      'clickhouse-02-r2',
      'redis-cluster',
      'nats-cluster',
      'prometheus',
    ]);
  });

  it('derives every port from OMEN_CLUSTER_PORT_BASE, inside its sub-ranges, and refuses a base that leaves no room', () => {
    const p = clusterPorts({ OMEN_CLUSTER_PORT_BASE: '20300' });
    expect(p.redis).toEqual([20340, 20341, 20342, 20343, 20344, 20345]);
    expect(p.redisBus).toEqual([20350, 20351, 20352, 20353, 20354, 20355]);
    expect([p.nats, p.natsRoutes, p.natsMonitor]).toEqual([
      [20360, 20361, 20362],
      [20363, 20364, 20365],
      [20366, 20367, 20368],
    ]);
    const all = [
      ...p.clickhouse.flatMap((n) => [n.http, n.tcp, n.interserver]),
      p.zookeeper,
      ...p.redis,
      ...p.redisBus,
      ...p.nats,
      ...p.natsRoutes,
      ...p.natsMonitor,
    ];
    expect(new Set(all).size).toBe(all.length);
    expect(clusterPorts({}).base).toBe(20000);
    expect(() => clusterPorts({ OMEN_CLUSTER_PORT_BASE: '65500' })).toThrow(/OMEN_CLUSTER_PORT_BASE/);
    expect(() => clusterPorts({ OMEN_CLUSTER_PORT_BASE: 'x' })).toThrow(/OMEN_CLUSTER_PORT_BASE/);
  });

  it('writes addresses the services read back, and node configs that stay in the range', () => {
    const p = clusterPorts({ OMEN_CLUSTER_PORT_BASE: '20300' });
    const redis = parseRedisAddress(redisClusterAddress(p));
    expect(redis?.kind === 'cluster' ? redis.nodes.map((n) => n.port) : []).toEqual(p.redis);
    expect(natsServers(natsClusterAddress(p))).toHaveLength(3);
    // Redis's default bus port would be port+10000, outside the range.
    expect(redisNodeConfig('/d', 20340, 20350)).toMatch(/^cluster-port 20350$/m);
    const n1 = natsNodeConfig(1, '/d', p);
    expect(n1).toContain('routes: [nats-route://127.0.0.1:20363, nats-route://127.0.0.1:20365]');
    expect(n1).toContain('server_name: omen-nats-1');
    expect(n1).toContain('jetstream {');
  });
});
