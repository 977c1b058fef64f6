import { ConfigError, type ConfigProblem } from '@omen/errors';

/**
 * Loopback ports of the embedded engines. The defaults sit 10000 above each engine's usual port
 * so a real ClickHouse/Redis/NATS/registry on the same machine keeps its own.
 */
export interface StackPorts {
  /** `OMEN_CLICKHOUSE_HTTP_PORT` @default 18123 */
  readonly clickhouseHttp: number;
  /** `OMEN_CLICKHOUSE_TCP_PORT` (native protocol, clickhouse-client) @default 19000 */
  readonly clickhouseTcp: number;
  /** `OMEN_REDIS_PORT` @default 16379 */
  readonly redis: number;
  /** `OMEN_NATS_PORT` @default 14222 */
  readonly nats: number;
  /** `OMEN_NATS_MONITOR_PORT` (HTTP /healthz, /varz, /jsz) @default 18222 */
  readonly natsMonitor: number;
  /** `OMEN_REGISTRY_PORT` @default 18081 */
  readonly registry: number;
  /** `OMEN_PROMETHEUS_PORT` (Prometheus's HTTP API and UI) @default 19090 */
  readonly prometheus: number;
}

export const PORT_VARIABLES: Readonly<Record<keyof StackPorts, { variable: string; default: number }>> = {
  clickhouseHttp: { variable: 'OMEN_CLICKHOUSE_HTTP_PORT', default: 18123 },
  clickhouseTcp: { variable: 'OMEN_CLICKHOUSE_TCP_PORT', default: 19000 },
  redis: { variable: 'OMEN_REDIS_PORT', default: 16379 },
  nats: { variable: 'OMEN_NATS_PORT', default: 14222 },
  natsMonitor: { variable: 'OMEN_NATS_MONITOR_PORT', default: 18222 },
  registry: { variable: 'OMEN_REGISTRY_PORT', default: 18081 },
  prometheus: { variable: 'OMEN_PROMETHEUS_PORT', default: 19090 },
};

/**
 * Reads the ports from `env`, refusing anything but an integer 1-65535 and two engines on one
 * port, naming each variable.
 * @throws ConfigError listing every problem
 */
export function stackPorts(env: NodeJS.ProcessEnv = process.env): StackPorts {
  const problems: ConfigProblem[] = [];
  const ports = {} as Record<keyof StackPorts, number>;
  const byPort = new Map<number, string>();
  for (const [key, { variable, default: fallback }] of Object.entries(PORT_VARIABLES) as [
    keyof StackPorts,
    { variable: string; default: number },
  ][]) {
    const raw = env[variable];
    let port = fallback;
    if (raw !== undefined && raw !== '') {
      port = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        problems.push({ variable, expected: 'an integer port 1-65535', got: JSON.stringify(raw) });
        continue;
      }
    }
    const clash = byPort.get(port);
    if (clash) problems.push({ variable, expected: `a port other than ${clash}'s`, got: String(port) });
    byPort.set(port, variable);
    ports[key] = port;
  }
  if (problems.length > 0) throw ConfigError.fromProblems(problems);
  return ports;
}

/**
 * `OMEN_CLUSTER_PORT_BASE` moves every port of `stack up --cluster` at once. Sub-ranges from the
 * base: ClickHouse nodes +0..39 (node i: http +10i, tcp +10i+1, interserver +10i+2), Redis
 * Cluster +40..59 (node i: client +40+i, cluster bus +50+i, set explicitly: Redis's default bus
 * port, client+10000, would leave the range), NATS +60..68 (node i: client +60+i, routes +63+i,
 * monitoring +66+i), ZooKeeper +80.
 */
export const CLUSTER_PORT_BASE = { variable: 'OMEN_CLUSTER_PORT_BASE', default: 20000 } as const;

/** The span above the base that the cluster's sub-ranges use. */
const CLUSTER_PORT_SPAN = 90;

export interface ClickHouseNodePorts {
  readonly http: number;
  readonly tcp: number;
  /** Replicas fetch parts from each other here. */
  readonly interserver: number;
}

export interface ClusterPorts {
  readonly base: number;
  /** One entry per ClickHouse node, in CLICKHOUSE_CLUSTER_NODES order. */
  readonly clickhouse: readonly ClickHouseNodePorts[];
  /** ZooKeeper's client port. */
  readonly zookeeper: number;
  /** Redis Cluster node i's client port (the first three start as masters). */
  readonly redis: readonly number[];
  readonly redisBus: readonly number[];
  /** NATS cluster node i's client, route and monitoring ports. */
  readonly nats: readonly number[];
  readonly natsRoutes: readonly number[];
  readonly natsMonitor: readonly number[];
}

/** Redis Cluster's nodes: three masters, `--cluster-replicas 1` pairs the other three. */
export const REDIS_CLUSTER_NODES = 6;
export const NATS_CLUSTER_NODES = 3;

/**
 * The ports of the clustered engines, from `OMEN_CLUSTER_PORT_BASE`.
 * @throws ConfigError when the base is not an integer 1024-(65535-90)
 */
export function clusterPorts(env: NodeJS.ProcessEnv = process.env, clickhouseNodes = 4): ClusterPorts {
  const raw = env[CLUSTER_PORT_BASE.variable];
  let base: number = CLUSTER_PORT_BASE.default;
  if (raw !== undefined && raw !== '') {
    base = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    const max = 65535 - CLUSTER_PORT_SPAN;
    if (!Number.isInteger(base) || base < 1024 || base > max) {
      throw ConfigError.fromProblems([
        { variable: CLUSTER_PORT_BASE.variable, expected: `an integer 1024-${max}`, got: JSON.stringify(raw) },
      ]);
    }
  }
  const clickhouse = Array.from({ length: clickhouseNodes }, (_, i) => ({
    http: base + 10 * i,
    tcp: base + 10 * i + 1,
    interserver: base + 10 * i + 2,
  }));
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => base + from + i);
  return {
    base,
    clickhouse,
    zookeeper: base + 80,
    redis: range(40, REDIS_CLUSTER_NODES),
    redisBus: range(50, REDIS_CLUSTER_NODES),
    nats: range(60, NATS_CLUSTER_NODES),
    natsRoutes: range(63, NATS_CLUSTER_NODES),
    natsMonitor: range(66, NATS_CLUSTER_NODES),
  };
}
