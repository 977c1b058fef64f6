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
  for (const [key, { variable, default: fallback }] of Object.entries(PORT_VARIABLES) as [keyof StackPorts, { variable: string; default: number }][]) {
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
