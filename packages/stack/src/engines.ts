import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { FailedPreconditionError } from '@omen/errors';
import { loadTopicManifest } from '@omen/topics';
import { brokerTopicLines, ensureBroker } from './broker.ts';
import { clickhouseConfigXml, clickhouseUsersXml } from './clickhouse-config.ts';
import {
  natsClusterAddress,
  natsClusterProbe,
  prepareNatsCluster,
  prepareRedisCluster,
  redisClusterAddress,
  redisClusterProbe,
} from './cluster.ts';
import type { ClusterPorts, StackPorts } from './config.ts';
import type { StackEnv, StackEnvKey } from './env-file.ts';
import type { StackPaths } from './paths.ts';
import { prometheusConfigYaml } from './prometheus-config.ts';
import {
  clickhouseProbe,
  kafkaProbe,
  natsProbe,
  prometheusProbe,
  redisProbe,
  registryProbe,
  zookeeperProbe,
  type Probe,
} from './probes.ts';
import type { SpawnSpec } from './process.ts';
import { zookeeperConfig } from './zookeeper-config.ts';

/** The single-node stack, in the order `up` reports them. */
export const ENGINE_NAMES = ['kafka', 'schema-registry', 'clickhouse', 'redis', 'nats', 'prometheus'] as const;
export type SingleEngineName = (typeof ENGINE_NAMES)[number];

/** `remote_servers` name of the dev cluster; `stack up --cluster` writes it as CLICKHOUSE_CLUSTER. */
export const CLICKHOUSE_CLUSTER_NAME = 'omen';

/** 2 shards × 2 replicas; the first node is the one CLICKHOUSE_URL points at. */
export const CLICKHOUSE_CLUSTER_NODES = [
  { name: 'clickhouse-01-r1', shard: '01', replica: 'r1' },
  { name: 'clickhouse-01-r2', shard: '01', replica: 'r2' },
  { name: 'clickhouse-02-r1', shard: '02', replica: 'r1' },
  { name: 'clickhouse-02-r2', shard: '02', replica: 'r2' },
] as const;

/** The engines only `stack up --cluster` starts. */
export const CLUSTER_ENGINE_NAMES = [
  'zookeeper',
  ...CLICKHOUSE_CLUSTER_NODES.map((n) => n.name),
  'redis-cluster',
  'nats-cluster',
] as const;
export type ClusterEngineName = (typeof CLUSTER_ENGINE_NAMES)[number];
export type EngineName = SingleEngineName | ClusterEngineName;

/** Every engine either mode knows, single-node first. */
export const ALL_ENGINE_NAMES: readonly EngineName[] = [...ENGINE_NAMES, ...CLUSTER_ENGINE_NAMES];

/**
 * In cluster mode each single-node engine named here is replaced by its clustered form, in the
 * order they start: ClickHouse by ZooKeeper and one engine per node (a replica can be killed and
 * restarted alone), Redis and NATS by one engine each whose supervisor runs every node (and
 * restarts a killed one unless held, see cluster.ts).
 */
export const CLUSTER_FORMS: Readonly<Partial<Record<SingleEngineName, readonly ClusterEngineName[]>>> = {
  clickhouse: ['zookeeper', ...CLICKHOUSE_CLUSTER_NODES.map((n) => n.name)],
  redis: ['redis-cluster'],
  nats: ['nats-cluster'],
};

/** The engines `up` starts by default: the single-node stack, or with `cluster` its clustered form. */
export function modeEngineNames(cluster: boolean): readonly EngineName[] {
  return cluster ? ENGINE_NAMES.flatMap((name): readonly EngineName[] => CLUSTER_FORMS[name] ?? [name]) : ENGINE_NAMES;
}

export function isEngineName(value: string): value is EngineName {
  return (ALL_ENGINE_NAMES as readonly string[]).includes(value);
}

export function isClusterEngineName(value: string): value is ClusterEngineName {
  return (CLUSTER_ENGINE_NAMES as readonly string[]).includes(value);
}

export interface EngineContext {
  readonly paths: StackPaths;
  readonly ports: StackPorts;
  /** Ports of the clustered forms (OMEN_CLUSTER_PORT_BASE). */
  readonly clusterPorts: ClusterPorts;
  /** topics.yaml, for the dev broker's topics. @default the repository's */
  readonly manifestPath?: string;
}

export interface EngineDefinition {
  readonly name: EngineName;
  /** The variable that points everything at this engine; set in the environment = external. */
  readonly envKey: StackEnvKey;
  /** Fixed ports and the variables that move them: `up` refuses to start over another process. */
  readonly ports: readonly { readonly port: number; readonly variable: string }[];
  /** Part of its command line, to tell our process from another that reuses the pid. */
  readonly marker: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly pidFile: string;
  /** Where it serves (null for the dev broker until it has written its bootstraps). */
  address(): string | null;
  /** Null when it can be started, else why it is skipped. */
  unavailable(): string | null;
  /** Writes its config, builds what is missing, and says how to start it. */
  prepare(): SpawnSpec;
  readonly probe: Probe;
  /** After `down`: remove what a stopped engine leaves that would mislead the next `up`. */
  cleanup?(): void;
  /**
   * What it writes to `.omen/stack.env` while ours and alive. @default `{ [envKey]: address }`
   * (a cluster's other nodes and its ZooKeeper write nothing: clients reach them through the first).
   */
  stackEnv?(address: string): StackEnv;
  /**
   * Whether a value of `envKey` set in the environment names an engine of this kind (then it is
   * external). @default any value: a single Redis in REDIS_URL is no Redis Cluster, though.
   */
  namesThisKind?(value: string): boolean;
}

function findExecutable(name: string, extra: readonly string[] = []): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin', ...extra];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return null;
}

/** The engine binary's path (PATH, then the sbin directories Debian installs servers in), or why not. */
export function requireExecutable(name: string, engine: string, envKey: string): string {
  const found = findExecutable(name);
  if (!found) {
    throw new FailedPreconditionError(
      `${name} is not installed: scripts/lib/bootstrap.sh installs it with apt, or point ${envKey} at an existing ${engine}`,
    );
  }
  return found;
}

/** The alert rules, shared with compose and deploy (relative to the repository root). */
export const PROMETHEUS_RULES_FILE = 'compose/prometheus/rules.yaml';

/**
 * Where the embedded Prometheus looks for scrape targets (file-based discovery, re-read on
 * change): `./scripts/omen services up` and tests drop a `<name>.json` there for what they run.
 */
export function prometheusTargetsDir(paths: StackPaths): string {
  return join(paths.stack, 'prometheus', 'targets');
}

/** The engine definitions for one stack directory and port set. */
export function engineDefinitions(ctx: EngineContext): Record<EngineName, EngineDefinition> {
  return { ...singleEngineDefinitions(ctx), ...clusterEngineDefinitions(ctx) };
}

/** ZooKeeper's server class path: Debian's jar names its dependencies in its manifest. */
const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
// Without a binding SLF4J drops every line; slf4j-simple (Debian's libslf4j-java) logs to stderr.
const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';

function clusterEngineDefinitions(ctx: EngineContext): Record<ClusterEngineName, EngineDefinition> {
  const { paths, clusterPorts } = ctx;
  const common = (name: ClusterEngineName) => ({
    name,
    dataDir: join(paths.stack, name),
    logFile: join(paths.logs, `${name}.log`),
    pidFile: join(paths.run, `${name}.pid`),
  });

  const zk = common('zookeeper');
  const zkConfig = join(zk.dataDir, 'zoo.cfg');
  const zookeeper: EngineDefinition = {
    ...zk,
    // Only the ClickHouse cluster uses it: an external ClickHouse needs no ZooKeeper of ours.
    envKey: 'CLICKHOUSE_URL',
    ports: [{ port: clusterPorts.zookeeper, variable: 'OMEN_CLUSTER_PORT_BASE' }],
    marker: zkConfig,
    address: () => `127.0.0.1:${clusterPorts.zookeeper}`,
    unavailable: () => null,
    prepare: () => {
      const java = requireExecutable('java', 'ZooKeeper', 'CLICKHOUSE_URL');
      if (!existsSync(ZOOKEEPER_JAR)) {
        throw new FailedPreconditionError(
          `${ZOOKEEPER_JAR} is missing: scripts/lib/bootstrap.sh installs Debian's zookeeper package with apt, or point CLICKHOUSE_URL at an existing ClickHouse cluster`,
        );
      }
      mkdirSync(join(zk.dataDir, 'data'), { recursive: true });
      writeFileSync(
        zkConfig,
        zookeeperConfig({ dataDir: join(zk.dataDir, 'data'), clientPort: clusterPorts.zookeeper }),
      );
      const classPath = [ZOOKEEPER_JAR, ...(existsSync(SLF4J_SIMPLE_JAR) ? [SLF4J_SIMPLE_JAR] : [])].join(':');
      return {
        command: java,
        // A small heap and the serial collector: ZooKeeper holds a few thousand znodes here.
        args: [
          '-Xms32m',
          '-Xmx256m',
          '-XX:+UseSerialGC',
          '-Djava.net.preferIPv4Stack=true',
          '-cp',
          classPath,
          'org.apache.zookeeper.server.quorum.QuorumPeerMain',
          zkConfig,
        ],
        cwd: zk.dataDir,
      };
    },
    probe: zookeeperProbe(clusterPorts.zookeeper),
    stackEnv: () => ({}),
  };

  const shards = [...new Set(CLICKHOUSE_CLUSTER_NODES.map((n) => n.shard))].map((shard) =>
    CLICKHOUSE_CLUSTER_NODES.flatMap((n, i) => (n.shard === shard ? [clusterPorts.clickhouse[i]?.tcp ?? 0] : [])),
  );
  const nodes = CLICKHOUSE_CLUSTER_NODES.map((node, i): [ClusterEngineName, EngineDefinition] => {
    const c = common(node.name);
    const port = clusterPorts.clickhouse[i];
    if (!port) throw new Error(`no ports for ${node.name}`);
    const url = `http://127.0.0.1:${port.http}`;
    const config = join(c.dataDir, 'config.xml');
    return [
      node.name,
      {
        ...c,
        envKey: 'CLICKHOUSE_URL',
        ports: [
          { port: port.http, variable: 'OMEN_CLUSTER_PORT_BASE' },
          { port: port.tcp, variable: 'OMEN_CLUSTER_PORT_BASE' },
          { port: port.interserver, variable: 'OMEN_CLUSTER_PORT_BASE' },
        ],
        marker: `--config-file=${config}`,
        address: () => url,
        unavailable: () => null,
        prepare: () => {
          const binary = requireExecutable('clickhouse-server', 'ClickHouse', 'CLICKHOUSE_URL');
          mkdirSync(c.dataDir, { recursive: true });
          writeFileSync(
            config,
            clickhouseConfigXml({
              dataDir: c.dataDir,
              httpPort: port.http,
              tcpPort: port.tcp,
              cluster: {
                clusterName: CLICKHOUSE_CLUSTER_NAME,
                shard: node.shard,
                replica: node.replica,
                interserverPort: port.interserver,
                shards,
                zookeeper: [{ host: '127.0.0.1', port: clusterPorts.zookeeper }],
              },
            }),
          );
          writeFileSync(join(c.dataDir, 'users.xml'), clickhouseUsersXml({ cluster: true }));
          return { command: binary, args: [`--config-file=${config}`], cwd: c.dataDir };
        },
        probe: clickhouseProbe(url),
        stackEnv: (address) =>
          i === 0 ? { CLICKHOUSE_URL: address, CLICKHOUSE_CLUSTER: CLICKHOUSE_CLUSTER_NAME } : {},
      },
    ];
  });
  const redisCluster = common('redis-cluster');
  const redisClusterUrl = redisClusterAddress(clusterPorts);
  const natsCluster = common('nats-cluster');
  const natsClusterUrl = natsClusterAddress(clusterPorts);
  const clusterPortList = (list: readonly number[]) =>
    list.map((port) => ({ port, variable: 'OMEN_CLUSTER_PORT_BASE' }));

  const redisAndNats: Record<'redis-cluster' | 'nats-cluster', EngineDefinition> = {
    'redis-cluster': {
      ...redisCluster,
      envKey: 'REDIS_URL',
      ports: clusterPortList([...clusterPorts.redis, ...clusterPorts.redisBus]),
      marker: join(redisCluster.dataDir, 'supervise.sh'),
      address: () => redisClusterUrl,
      unavailable: () => null,
      prepare: () => {
        const server = requireExecutable('redis-server', 'Redis', 'REDIS_URL');
        const cli = requireExecutable('redis-cli', 'Redis', 'REDIS_URL');
        const script = prepareRedisCluster(redisCluster.dataDir, clusterPorts, server, cli);
        return { command: '/bin/bash', args: [script], cwd: redisCluster.dataDir };
      },
      probe: redisClusterProbe(clusterPorts),
      namesThisKind: (value) => /^rediss?-cluster:\/\//.test(value),
    },
    'nats-cluster': {
      ...natsCluster,
      envKey: 'NATS_URL',
      ports: clusterPortList([...clusterPorts.nats, ...clusterPorts.natsRoutes, ...clusterPorts.natsMonitor]),
      marker: join(natsCluster.dataDir, 'supervise.sh'),
      address: () => natsClusterUrl,
      unavailable: () => null,
      prepare: () => {
        const server = requireExecutable('nats-server', 'NATS', 'NATS_URL');
        const script = prepareNatsCluster(natsCluster.dataDir, clusterPorts, server);
        return { command: '/bin/bash', args: [script], cwd: natsCluster.dataDir };
      },
      probe: natsClusterProbe(clusterPorts),
      namesThisKind: (value) => value.includes(','),
    },
  };
  return {
    zookeeper,
    ...(Object.fromEntries(nodes) as Record<(typeof CLICKHOUSE_CLUSTER_NODES)[number]['name'], EngineDefinition>),
    ...redisAndNats,
  };
}

function singleEngineDefinitions(ctx: EngineContext): Record<SingleEngineName, EngineDefinition> {
  const { paths, ports } = ctx;
  const common = (name: SingleEngineName) => ({
    name,
    dataDir: join(paths.stack, name),
    logFile: join(paths.logs, `${name}.log`),
    pidFile: join(paths.run, `${name}.pid`),
  });

  const kafka = common('kafka');
  const bootstrapsFile = join(kafka.dataDir, 'bootstraps');
  const readBootstraps = (): string | null => {
    try {
      const text = readFileSync(bootstrapsFile, 'utf8').trim();
      return text === '' ? null : text;
    } catch {
      return null;
    }
  };

  const registry = common('schema-registry');
  const registryMain = join(paths.root, 'packages/schema-registry/src/main.ts');
  const registryUrl = `http://127.0.0.1:${ports.registry}`;

  const clickhouse = common('clickhouse');
  const clickhouseUrl = `http://127.0.0.1:${ports.clickhouseHttp}`;
  const clickhouseConfig = join(clickhouse.dataDir, 'config.xml');

  const redis = common('redis');
  const redisUrl = `redis://127.0.0.1:${ports.redis}`;

  const nats = common('nats');
  const natsUrl = `nats://127.0.0.1:${ports.nats}`;

  const prometheus = common('prometheus');
  const prometheusUrl = `http://127.0.0.1:${ports.prometheus}`;
  const prometheusConfig = join(prometheus.dataDir, 'prometheus.yaml');

  return {
    kafka: {
      ...kafka,
      envKey: 'KAFKA_BROKERS',
      // librdkafka 2.0.2's mock cluster picks random loopback ports; there is no API to choose.
      ports: [],
      marker: 'omen-kafka-broker',
      address: readBootstraps,
      unavailable: () => null,
      prepare: () => {
        const { path } = ensureBroker(paths.root, paths.bin);
        mkdirSync(kafka.dataDir, { recursive: true });
        const topicsFile = join(kafka.dataDir, 'topics.txt');
        writeFileSync(topicsFile, brokerTopicLines(loadTopicManifest(ctx.manifestPath)));
        rmSync(bootstrapsFile, { force: true });
        return { command: path, args: [bootstrapsFile, topicsFile, '3'], cwd: kafka.dataDir };
      },
      probe: kafkaProbe(() => readBootstraps()?.split(',') ?? null),
      cleanup: () => rmSync(bootstrapsFile, { force: true }),
    },
    'schema-registry': {
      ...registry,
      envKey: 'SCHEMA_REGISTRY_URL',
      ports: [{ port: ports.registry, variable: 'OMEN_REGISTRY_PORT' }],
      marker: 'schema-registry/src/main.ts',
      address: () => registryUrl,
      unavailable: () => (existsSync(registryMain) ? null : `${registryMain} does not exist yet`),
      prepare: () => {
        mkdirSync(registry.dataDir, { recursive: true });
        return {
          command: process.execPath,
          // From the repository root so `tsx` resolves from its node_modules.
          args: ['--import', 'tsx', registryMain],
          cwd: paths.root,
          env: {
            ...process.env,
            OMEN_REGISTRY_HOST: '127.0.0.1',
            OMEN_REGISTRY_PORT: String(ports.registry),
            OMEN_REGISTRY_DATA: registry.dataDir,
          },
        };
      },
      probe: registryProbe(registryUrl),
    },
    clickhouse: {
      ...clickhouse,
      envKey: 'CLICKHOUSE_URL',
      ports: [
        { port: ports.clickhouseHttp, variable: 'OMEN_CLICKHOUSE_HTTP_PORT' },
        { port: ports.clickhouseTcp, variable: 'OMEN_CLICKHOUSE_TCP_PORT' },
      ],
      marker: `--config-file=${clickhouseConfig}`,
      address: () => clickhouseUrl,
      unavailable: () => null,
      prepare: () => {
        const binary = requireExecutable('clickhouse-server', 'ClickHouse', 'CLICKHOUSE_URL');
        mkdirSync(clickhouse.dataDir, { recursive: true });
        writeFileSync(
          clickhouseConfig,
          clickhouseConfigXml({
            dataDir: clickhouse.dataDir,
            httpPort: ports.clickhouseHttp,
            tcpPort: ports.clickhouseTcp,
          }),
        );
        writeFileSync(join(clickhouse.dataDir, 'users.xml'), clickhouseUsersXml());
        return { command: binary, args: [`--config-file=${clickhouseConfig}`], cwd: clickhouse.dataDir };
      },
      probe: clickhouseProbe(clickhouseUrl),
    },
    redis: {
      ...redis,
      envKey: 'REDIS_URL',
      ports: [{ port: ports.redis, variable: 'OMEN_REDIS_PORT' }],
      // redis-server starts as "redis-server --port <port> --bind 127.0.0.1 ..." and soon rewrites
      // its title to "redis-server 127.0.0.1:<port>": only the port is in both. Matching the new
      // title alone made a start under load, whose first PING came before the rewrite, read as
      // "exited while starting".
      marker: String(ports.redis),
      address: () => redisUrl,
      unavailable: () => null,
      prepare: () => {
        const binary = requireExecutable('redis-server', 'Redis', 'REDIS_URL');
        mkdirSync(redis.dataDir, { recursive: true });
        return {
          command: binary,
          args: [
            '--port',
            String(ports.redis),
            '--bind',
            '127.0.0.1',
            '--dir',
            redis.dataDir,
            '--daemonize',
            'no',
            '--logfile',
            '',
          ],
          cwd: redis.dataDir,
        };
      },
      probe: redisProbe(redisUrl),
    },
    nats: {
      ...nats,
      envKey: 'NATS_URL',
      ports: [
        { port: ports.nats, variable: 'OMEN_NATS_PORT' },
        { port: ports.natsMonitor, variable: 'OMEN_NATS_MONITOR_PORT' },
      ],
      marker: nats.dataDir,
      address: () => natsUrl,
      unavailable: () => null,
      prepare: () => {
        const binary = requireExecutable('nats-server', 'NATS', 'NATS_URL');
        mkdirSync(nats.dataDir, { recursive: true });
        return {
          command: binary,
          args: [
            '-a',
            '127.0.0.1',
            '-p',
            String(ports.nats),
            '-m',
            String(ports.natsMonitor),
            '-js',
            '-sd',
            nats.dataDir,
            '-n',
            'omen-dev',
          ],
          cwd: nats.dataDir,
        };
      },
      probe: natsProbe(`http://127.0.0.1:${ports.natsMonitor}`),
    },
    prometheus: {
      ...prometheus,
      envKey: 'PROMETHEUS_URL',
      ports: [{ port: ports.prometheus, variable: 'OMEN_PROMETHEUS_PORT' }],
      marker: `--config.file=${prometheusConfig}`,
      address: () => prometheusUrl,
      unavailable: () => null,
      prepare: () => {
        const binary = requireExecutable('prometheus', 'Prometheus', 'PROMETHEUS_URL');
        const targets = prometheusTargetsDir(paths);
        mkdirSync(targets, { recursive: true });
        writeFileSync(
          prometheusConfig,
          prometheusConfigYaml({ targetsDir: targets, rulesFile: join(paths.root, PROMETHEUS_RULES_FILE) }),
        );
        return {
          command: binary,
          args: [
            `--config.file=${prometheusConfig}`,
            `--storage.tsdb.path=${join(prometheus.dataDir, 'data')}`,
            '--storage.tsdb.retention.time=2d',
            `--web.listen-address=127.0.0.1:${ports.prometheus}`,
            // Debian's build serves its UI from these; the API the tests use needs neither.
            '--web.console.templates=/etc/prometheus/consoles',
            '--web.console.libraries=/etc/prometheus/console_libraries',
          ],
          cwd: prometheus.dataDir,
        };
      },
      probe: prometheusProbe(prometheusUrl),
    },
  };
}
