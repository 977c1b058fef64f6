import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@omen/errors';
import { parseTopicManifest } from '@omen/topics';
import {
  brokerTopicLines,
  clickhouseConfigXml,
  clusterPorts,
  formatEnvFile,
  modeEngineNames,
  parseEnvFile,
  readStackEnv,
  stackPorts,
  zookeeperConfig,
} from '@omen/stack';

describe('stackPorts', () => {
  it('uses the documented defaults', () => {
    expect(stackPorts({})).toEqual({
      clickhouseHttp: 18123,
      clickhouseTcp: 19000,
      redis: 16379,
      nats: 14222,
      natsMonitor: 18222,
      registry: 18081,
      prometheus: 19090,
    });
  });

  it('takes each port from its variable', () => {
    expect(stackPorts({ OMEN_REDIS_PORT: '26379', OMEN_NATS_PORT: ' 24222 ' })).toMatchObject({
      redis: 26379,
      nats: 24222,
    });
  });

  it('refuses every bad value at once, naming the variable and the bound', () => {
    let caught: unknown;
    try {
      stackPorts({ OMEN_REDIS_PORT: 'abc', OMEN_NATS_PORT: '70000', OMEN_REGISTRY_PORT: '0' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      { variable: 'OMEN_REDIS_PORT', expected: 'an integer port 1-65535', got: '"abc"' },
      { variable: 'OMEN_NATS_PORT', expected: 'an integer port 1-65535', got: '"70000"' },
      { variable: 'OMEN_REGISTRY_PORT', expected: 'an integer port 1-65535', got: '"0"' },
    ]);
  });

  it('refuses two engines on one port', () => {
    expect(() => stackPorts({ OMEN_NATS_PORT: '18123' })).toThrow(
      "OMEN_NATS_PORT: expected a port other than OMEN_CLICKHOUSE_HTTP_PORT's, got 18123",
    );
  });
});

describe('stack.env', () => {
  it('round-trips through format and parse, in a fixed order, leaving out unknown addresses', () => {
    const text = formatEnvFile({ REDIS_URL: 'redis://127.0.0.1:16379', KAFKA_BROKERS: '127.0.0.1:1,127.0.0.1:2' });
    expect(text).toBe('KAFKA_BROKERS=127.0.0.1:1,127.0.0.1:2\nREDIS_URL=redis://127.0.0.1:16379\n');
    expect(parseEnvFile(`# comment\n\n${text}garbage\n`)).toEqual({
      KAFKA_BROKERS: '127.0.0.1:1,127.0.0.1:2',
      REDIS_URL: 'redis://127.0.0.1:16379',
    });
  });

  describe('readStackEnv', () => {
    let home: string;
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    it('prefers the environment, then the file', () => {
      home = mkdtempSync(join(tmpdir(), 'omen-stack-'));
      writeFileSync(join(home, 'stack.env'), 'KAFKA_BROKERS=127.0.0.1:9\nNATS_URL=nats://127.0.0.1:4\n');
      const env = readStackEnv({ home, env: { KAFKA_BROKERS: 'kafka:9092', REDIS_URL: 'redis://r:6379' } });
      expect(env).toEqual({ KAFKA_BROKERS: 'kafka:9092', REDIS_URL: 'redis://r:6379', NATS_URL: 'nats://127.0.0.1:4' });
    });

    it('is empty without a file or variables', () => {
      home = mkdtempSync(join(tmpdir(), 'omen-stack-'));
      mkdirSync(join(home, 'stack'));
      expect(readStackEnv({ home, env: {} })).toEqual({});
    });
  });
});

describe('brokerTopicLines', () => {
  it('lists every topic and derived dead-letter topic with its partitions and consumer groups, for the C broker', () => {
    const manifest = parseTopicManifest(
      'topics:\n  - { name: a.b.v1, schema: schemas/a.avsc, partitions: 3, consumers: [g, h] }\n',
    );
    expect(brokerTopicLines(manifest)).toBe('a.b.v1 3 g,h\na.b.v1.dlq.g 1 -\na.b.v1.dlq.h 1 -\n');
  });
});

describe('clickhouseConfigXml', () => {
  it('listens on loopback only, on the given ports, with data under the given directory', () => {
    const xml = clickhouseConfigXml({ dataDir: '/d/a&b', httpPort: 1234, tcpPort: 5678 });
    expect(xml).toContain('<listen_host>127.0.0.1</listen_host>');
    expect(xml.match(/<listen_host>/g)).toHaveLength(1);
    expect(xml).toContain('<http_port>1234</http_port>');
    expect(xml).toContain('<tcp_port>5678</tcp_port>');
    expect(xml).toContain('<path>/d/a&amp;b/data/</path>');
    expect(xml).not.toContain('interserver_http_port');
  });
});

describe('the cluster stack', () => {
  it('puts every port in its documented sub-range of OMEN_CLUSTER_PORT_BASE, none twice', () => {
    const p = clusterPorts({ OMEN_CLUSTER_PORT_BASE: '20200' });
    const clickhouse = p.clickhouse.flatMap((n) => [n.http, n.tcp, n.interserver]);
    expect(clickhouse.every((port) => port >= 20200 && port <= 20239)).toBe(true);
    expect(p.zookeeper).toBeGreaterThanOrEqual(20280);
    expect(p.zookeeper).toBeLessThanOrEqual(20289);
    expect(new Set([...clickhouse, p.zookeeper]).size).toBe(13);
    expect(clusterPorts({}).base).toBe(20000);
  });

  it('refuses a base that leaves no room for its sub-ranges, naming the variable', () => {
    expect(() => clusterPorts({ OMEN_CLUSTER_PORT_BASE: '65500' })).toThrow(
      'OMEN_CLUSTER_PORT_BASE: expected an integer 1024-65445, got "65500"',
    );
    expect(() => clusterPorts({ OMEN_CLUSTER_PORT_BASE: 'x' })).toThrow('OMEN_CLUSTER_PORT_BASE');
  });

  it('replaces the single ClickHouse by ZooKeeper and four ClickHouse nodes, keeping the other engines', () => {
    const names = modeEngineNames(true);
    expect(names).not.toContain('clickhouse');
    expect(names).toEqual(
      expect.arrayContaining([
        'kafka',
        'zookeeper',
        'clickhouse-01-r1',
        'clickhouse-01-r2',
        'clickhouse-02-r1',
        'clickhouse-02-r2',
      ]),
    );
    expect(modeEngineNames(false)).toEqual(['kafka', 'schema-registry', 'clickhouse', 'redis', 'nats', 'prometheus']);
  });

  it('gives a node the contract the cluster migrations rely on: macros, remote_servers, ZooKeeper, DDL queue', () => {
    const xml = clickhouseConfigXml({
      dataDir: '/d',
      httpPort: 1,
      tcpPort: 2,
      cluster: {
        clusterName: 'omen',
        shard: '02',
        replica: 'r1',
        interserverPort: 3,
        shards: [
          [11, 12],
          [21, 22],
        ],
        zookeeper: [{ host: '127.0.0.1', port: 99 }],
      },
    });
    expect(xml).toContain('<shard>02</shard>');
    expect(xml).toContain('<replica>r1</replica>');
    expect(xml).toContain('<interserver_http_port>3</interserver_http_port>');
    expect(xml.match(/<internal_replication>true<\/internal_replication>/g)).toHaveLength(2);
    expect(xml).toMatch(
      /<omen>\s*<shard>[\s\S]*<port>11<\/port>[\s\S]*<port>12<\/port>[\s\S]*<\/shard>\s*<shard>[\s\S]*<port>21<\/port>[\s\S]*<port>22<\/port>/,
    );
    expect(xml).toContain('<node><host>127.0.0.1</host><port>99</port></node>');
    expect(xml).toContain('<distributed_ddl>');
    // Every server a shard of its own, for the ALTERs of Distributed tables.
    const eachNode = /<omen_nodes>([\s\S]*?)<\/omen_nodes>/.exec(xml)?.[1] ?? '';
    expect(
      [...eachNode.matchAll(/<shard><replica><host>127\.0\.0\.1<\/host><port>(\d+)<\/port><\/replica><\/shard>/g)].map(
        (m) => m[1],
      ),
    ).toEqual(['11', '12', '21', '22']);
    // One value per setting: ClickHouse reads the first of two equal tags and ignores the rest.
    expect(xml.match(/<mark_cache_size>/g)).toHaveLength(1);
  });

  it('runs ZooKeeper on loopback without the AdminServer, answering ruok and srvr', () => {
    const cfg = zookeeperConfig({ dataDir: '/z', clientPort: 20280 });
    expect(cfg).toContain('clientPort=20280');
    expect(cfg).toContain('clientPortAddress=127.0.0.1');
    expect(cfg).toContain('admin.enableServer=false');
    expect(cfg).toMatch(/^4lw\.commands\.whitelist=.*ruok.*srvr/m);
  });
});
