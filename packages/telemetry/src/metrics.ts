import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry } from 'prom-client';
export type { Counter, Gauge, Histogram } from 'prom-client';

/**
 * Latency buckets in seconds, 1 ms to 10 s: fine near the fast path of an RPC or a Redis
 * lookup, coarse out to the slow tail where only "how bad" matters.
 */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** prom-client default metrics that are gauges but end in `_total`; not exported. */
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

export interface MetricsOptions {
  /** Value of the `service` label on every series. */
  service: string;
  /** Collect process/runtime metrics (CPU, memory, event loop lag, GC). @default true */
  defaultMetrics?: boolean;
}

/**
 * One service's metrics: its own registry (never prom-client's global one, so two services
 * or tests in one process do not collide) plus get-or-create helpers, so the gRPC layer and
 * the service may both ask for the same metric.
 */
export interface Metrics {
  registry: Registry;
  /** A histogram (never a summary: histograms aggregate across pods). @param buckets @default LATENCY_BUCKETS */
  histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L>;
  counter<L extends string = string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  /** A gauge; `collect` runs at scrape time to refresh it (e.g. a queue length). */
  gauge<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    collect?: (gauge: Gauge<L>) => void | Promise<void>,
  ): Gauge<L>;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const { service, defaultMetrics = true } = options;
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (defaultMetrics) {
    collectDefaultMetrics({ register: registry });
    // prom-client names these three gauges `_total`, which Prometheus keeps for counters (promtool
    // check metrics flags them); the per-type gauges without the suffix stay and sum to the same.
    for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  }
  return metricsFor(registry);
}

/**
 * omen's one metric naming scheme, checked when a metric is created so a wrong name fails the
 * first test that builds the service: `omen_<component>_<what>[_<unit>]` in snake case, where the
 * component is the service (`omen_ingest_…`) or the library that owns the series
 * (`omen_grpc_…`, `omen_kafka_…`); base units (`_seconds`, `_bytes`, never ms or KB); `_total` on
 * counters and only on counters. Returns why a name breaks it, or null.
 */
export function metricNameProblem(name: string, kind: 'counter' | 'gauge' | 'histogram'): string | null {
  if (!/^omen_[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]$/.test(name) || name.includes('__')) {
    return `metric ${JSON.stringify(name)} must be omen_<component>_<what> in lower snake case`;
  }
  if (kind === 'counter' && !name.endsWith('_total')) return `counter ${name} must end in _total`;
  if (kind !== 'counter' && name.endsWith('_total')) return `${kind} ${name} must not end in _total (counters only)`;
  const unit =
    /_(ms|millis|milliseconds|microseconds|us|ns|minutes|hours|days|kb|mb|gb|kib|mib|gib|kilobytes|megabytes|percent)(_total)?$/.exec(
      name,
    );
  if (unit) return `metric ${name} must use a base unit (seconds, bytes, ratio 0-1), not _${unit[1]}`;
  return null;
}

function checkedName(name: string, kind: 'counter' | 'gauge' | 'histogram'): string {
  const problem = metricNameProblem(name, kind);
  if (problem) throw new TypeError(problem);
  return name;
}

/** Get-or-create helpers over an existing registry (what libraries such as @omen/grpc use). */
export function metricsFor(registry: Registry): Metrics {
  function existing<T>(name: string, kind: abstract new (...args: never[]) => T): T | undefined {
    const m = registry.getSingleMetric(name);
    if (m === undefined) return undefined;
    if (!(m instanceof kind)) throw new TypeError(`metric ${name} already exists with another type`);
    return m;
  }

  return {
    registry,
    histogram<L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[] = [],
      buckets: readonly number[] = LATENCY_BUCKETS,
    ) {
      return (
        (existing(name, Histogram) as Histogram<L> | undefined) ??
        new Histogram<L>({
          name: checkedName(name, 'histogram'),
          help,
          labelNames: [...labelNames],
          buckets: [...buckets],
          registers: [registry],
        })
      );
    },
    counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
      return (
        (existing(name, Counter) as Counter<L> | undefined) ??
        new Counter<L>({ name: checkedName(name, 'counter'), help, labelNames: [...labelNames], registers: [registry] })
      );
    },
    gauge<L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[] = [],
      collect?: (gauge: Gauge<L>) => void | Promise<void>,
    ) {
      const found = existing(name, Gauge) as Gauge<L> | undefined;
      if (found) return found;
      return new Gauge<L>({
        name: checkedName(name, 'gauge'),
        help,
        labelNames: [...labelNames],
        registers: [registry],
        ...(collect
          ? {
              collect(this: Gauge<L>) {
                return collect(this);
              },
            }
          : {}),
      });
    },
  };
}

export interface MetricsServerOptions {
  registry: Registry;
  /** 0 lets the OS pick (tests). @default 9464 */
  port?: number;
  /** @default '0.0.0.0' (reachable by a Prometheus outside the container) */
  host?: string;
  /** Backs `GET /readyz` (200 when true, 503 otherwise). @default () => true */
  ready?: () => boolean;
}

export interface MetricsServer {
  /** e.g. `http://127.0.0.1:41234` (a wildcard host is reported as 127.0.0.1). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (Prometheus text), `GET /healthz` (liveness) and `GET /readyz`. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, port = 9464, host = '0.0.0.0', ready = () => true } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) =>
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${String(err)}\n`),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const isReady = ready();
      res.writeHead(isReady ? 200 : 503, { 'content-type': 'text/plain' }).end(isReady ? 'ready\n' : 'not ready\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Scrapers keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
