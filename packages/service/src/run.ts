import { setTimeout as sleep } from 'node:timers/promises';
import {
  CONFIG_EXIT_CODE,
  ConfigError,
  loadConfig,
  maskUrlPassword,
  type ConfigOf,
  type ConfigShape,
  type Env,
} from '@omen/config';
import type { JwtOptions } from '@omen/auth';
import { createGrpcServer, type GrpcServer } from '@omen/grpc';
import {
  createLogger,
  createMetrics,
  initTracing,
  startMetricsServer,
  type Logger,
  type Metrics,
  type MetricsServer,
  type Tracer,
} from '@omen/telemetry';
import { baseConfigSchema, jwtOptionsFrom, type BaseConfigShape, type PortDefaults } from './config.ts';
import { backoffDelayMs, type RetryOptions } from './retry.ts';

export interface DependencyOptions {
  retry?: RetryOptions;
  /** Whether the service is NOT_SERVING until this dependency is connected. @default true */
  required?: boolean;
}

export interface WatchOptions {
  /** Pause between two probes. @default 1000 */
  intervalMs?: number;
  /** A probe that has not answered by then counts as a failure: the engine is stalled. @default 1000 */
  timeoutMs?: number;
}

export interface ServiceContext<C> {
  name: string;
  config: C;
  logger: Logger;
  /** Registry (served on /metrics) plus histogram/counter/gauge helpers. */
  metrics: Metrics;
  tracer: Tracer;
  /** Add services here; health and reflection are already registered. */
  grpc: GrpcServer;
  /** Aborted when shutdown begins: long-running loops should stop. */
  signal: AbortSignal;
  /**
   * Connects to a dependency, retrying with exponential backoff and jitter (forever by
   * default) and logging each failed attempt; resolves with what `connect` returned. While
   * any required dependency is connecting, health reports NOT_SERVING. Rejects only if
   * shutdown starts first (or `retry.maxAttempts` runs out).
   */
  dependency<T>(
    name: string,
    connect: (attempt: { attempt: number; signal: AbortSignal }) => Promise<T>,
    options?: DependencyOptions,
  ): Promise<T>;
  /** Reports a connected dependency lost (false) or back (true), e.g. from a client's events. */
  setDependencyUp(name: string, up: boolean, reason?: string): void;
  /**
   * Holds health at NOT_SERVING for a reason that is not a dependency being down — a consumer
   * that stopped at a gap in its input — logged at error with the reason; `undefined` clears it.
   */
  setBlocked(name: string, reason: string | undefined): void;
  /**
   * Probes a connected dependency until shutdown (a Redis PING, a NATS flush, a ClickHouse
   * ping): one that fails or does not answer within `timeoutMs` reports the dependency down
   * (NOT_SERVING when it is required, `omen_dependency_up` 0 always), the next answer reports
   * it up. A stalled engine (SIGSTOP, a full disk, a hung host) keeps its TCP connection open,
   * so a client's connection events alone never notice it.
   */
  watchDependency(name: string, probe: (signal: AbortSignal) => Promise<unknown>, options?: WatchOptions): void;
  /** Runs `fn` on shutdown, after gRPC stopped and drained; hooks run in reverse order of registration. */
  onShutdown(fn: () => unknown, label?: string): void;
}

export interface ServiceOptions<S extends ConfigShape> {
  /** Service name: logs, metrics `service` label, trace `service.name`. */
  name: string;
  /** The service's own variables (see @omen/config helpers); merged with the base ones. @default {} */
  configSchema?: S;
  /** This service's default ports (so six services can share a host). @default { grpcPort: 50051, metricsPort: 9464 } */
  ports?: PortDefaults;
  /** Admin methods by full name (`pkg.Service/Method`); also settable per addService. @default [] */
  adminMethods?: string[];
  /**
   * Largest request message this service takes, sized to its largest legitimate request; a
   * larger one is refused with RESOURCE_EXHAUSTED before it is decoded. GRPC_MAX_RECEIVE_BYTES
   * overrides it. @default 4 MiB (grpc-js's own default)
   */
  maxReceiveMessageBytes?: number;
  /** Wiring: consume, compute, serve. Runs after the servers listen, with health NOT_SERVING. */
  start: (ctx: ServiceContext<ConfigOf<S & BaseConfigShape>>) => unknown;
  /** @default process.env */
  env?: Env;
  /**
   * Own the process: exit on a bad config, on SIGTERM/SIGINT (after shutdown), and on a
   * crash. Off for in-process tests, which call `stop()`. @default true
   */
  ownProcess?: boolean;
}

const DEFAULT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

export interface RunningService<C> {
  config: C;
  grpcPort: number;
  metricsUrl: string;
  /** Resolves once `start` returned and every required dependency connected. */
  ready: Promise<void>;
  isReady(): boolean;
  /** The shutdown sequence SIGTERM runs; resolves true if every hook succeeded. */
  stop(reason?: string): Promise<boolean>;
}

/**
 * Runs a service: config, logs, metrics, tracing, gRPC with health, dependencies with
 * retries, and ordered shutdown, so a service's main.ts is only its wiring.
 *
 * ```ts
 * await runService({
 *   name: 'inference',
 *   configSchema: { REDIS_URL: url({ protocols: ['redis'] }) },
 *   ports: { grpcPort: 50054, metricsPort: 9467 },
 *   async start(ctx) {
 *     const redis = await ctx.dependency('redis', () => connectRedis(ctx.config.REDIS_URL));
 *     ctx.onShutdown(() => redis.quit(), 'redis');
 *     ctx.grpc.addService(inferenceProto.service('omen.inference.v1.Inference'), makeHandlers(redis));
 *   },
 * });
 * ```
 */
export async function runService<S extends ConfigShape = Record<never, never>>(
  options: ServiceOptions<S>,
): Promise<RunningService<ConfigOf<S & BaseConfigShape>>> {
  const { name, ownProcess = true, env = process.env } = options;
  type C = ConfigOf<S & BaseConfigShape>;

  let config: C;
  let jwt: JwtOptions | undefined;
  try {
    config = loadConfig(
      { ...baseConfigSchema(options.ports), ...(options.configSchema ?? {}) } as S & BaseConfigShape,
      env,
    );
    const auth = jwtOptionsFrom(config as unknown as ConfigOf<BaseConfigShape>);
    if (auth.problems.length > 0) throw ConfigError.fromProblems(auth.problems);
    jwt = auth.jwt;
  } catch (err) {
    if (!(ownProcess && err instanceof ConfigError)) throw err;
    for (const p of err.problems)
      process.stderr.write(`config error: ${p.variable}: expected ${p.expected}, got ${p.got}\n`);
    process.stderr.write(`${name}: refusing to start with an invalid configuration\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  // The same object, seen through the base shape: TS cannot resolve the generic intersection's keys here.
  const base = config as unknown as ConfigOf<BaseConfigShape>;

  const logger = createLogger({ service: name, level: base.LOG_LEVEL });
  logger.info({ config: printable(config) }, 'starting %s', name);
  const tracing = initTracing({
    service: name,
    ...(base.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: base.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  });
  const metrics = createMetrics({ service: name });
  const dependencyUp = metrics.gauge(
    'omen_dependency_up',
    '1 while a dependency is connected, 0 while it is being (re)connected.',
    ['dependency'],
  );

  const controller = new AbortController();
  const required = new Map<string, boolean>();
  const blocked = new Map<string, string>();
  let started = false;
  let stopping = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const isReady = () => started && !stopping && blocked.size === 0 && [...required.values()].every(Boolean);
  // What grpc.health.v1 answers, for Prometheus: the alert on NOT_SERVING reads this, `up` only says the process answers.
  metrics.gauge(
    'omen_service_serving',
    '1 while health reports SERVING, 0 while NOT_SERVING (a dependency connecting, a consumer blocked at a gap, shutting down).',
    [],
    (g) => g.set(isReady() ? 1 : 0),
  );

  const grpc = createGrpcServer({
    service: name,
    logger,
    registry: metrics.registry,
    adminToken: base.ADMIN_TOKEN,
    jwt,
    adminMethods: options.adminMethods ?? [],
    requireAuth: base.GRPC_REQUIRE_AUTH ? 'all' : 'admin',
    serverOptions: {
      'grpc.max_receive_message_length':
        base.GRPC_MAX_RECEIVE_BYTES ?? options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
    },
  });
  let lastReady: boolean | undefined;
  const refreshHealth = () => {
    const now = isReady();
    if (now === lastReady) return;
    lastReady = now;
    grpc.health.setAll(now ? 'SERVING' : 'NOT_SERVING');
    if (now) {
      logger.info('ready: serving');
      markReady();
    } else if (blocked.size > 0) {
      logger.error(
        { blocked: Object.fromEntries(blocked) },
        'not ready: %s',
        [...blocked].map(([n, r]) => `${n}: ${r}`).join('; '),
      );
    } else if (!stopping) {
      const waiting = [...required].filter(([, up]) => !up).map(([n]) => n);
      logger.warn({ waiting }, 'not ready: waiting for %s', waiting.join(', ') || 'start()');
    }
  };

  let metricsServer: MetricsServer;
  let grpcPort: number;
  try {
    metricsServer = await startMetricsServer({
      registry: metrics.registry,
      host: base.METRICS_HOST,
      port: base.METRICS_PORT,
      ready: isReady,
    });
    logger.info({ url: metricsServer.url, port: metricsServer.port }, 'metrics server listening');
    // The gRPC port opens before start() so health answers NOT_SERVING while dependencies connect.
    grpcPort = await grpc.start(base.GRPC_HOST, base.GRPC_PORT);
  } catch (err) {
    logger.fatal({ err }, 'could not open the service ports');
    await tracing.shutdown();
    if (ownProcess) process.exit(1);
    throw err;
  }

  const hooks: Array<{ fn: () => unknown; label: string }> = [];
  let stopPromise: Promise<boolean> | undefined;
  const stop = (reason = 'stop requested'): Promise<boolean> => {
    stopPromise ??= (async () => {
      stopping = true;
      controller.abort(new Error(`shutting down: ${reason}`));
      logger.info({ reason }, 'shutting down');
      refreshHealth();
      const grace = base.SHUTDOWN_GRACE;
      await grpc.shutdown(grace);
      let clean = true;
      for (const { fn, label } of [...hooks].reverse()) {
        try {
          const outcome = await Promise.race([
            Promise.resolve()
              .then(fn)
              .then(() => 'done' as const),
            sleep(grace, 'timeout' as const, { ref: false }),
          ]);
          if (outcome === 'timeout') {
            clean = false;
            logger.error(
              { hook: label, graceMs: grace },
              'shutdown hook %s did not finish within the grace period',
              label,
            );
          } else {
            logger.info({ hook: label }, 'closed %s', label);
          }
        } catch (err) {
          clean = false;
          logger.error({ err, hook: label }, 'shutdown hook %s failed', label);
        }
      }
      await metricsServer.close().catch((err: unknown) => logger.warn({ err }, 'metrics server close failed'));
      await tracing.shutdown().catch((err: unknown) => logger.warn({ err }, 'trace flush failed'));
      logger.info({ clean }, 'stopped');
      return clean;
    })();
    return stopPromise;
  };

  const ctx: ServiceContext<C> = {
    name,
    config,
    logger,
    metrics,
    tracer: tracing.tracer,
    grpc,
    signal: controller.signal,
    onShutdown(fn, label = `hook ${hooks.length + 1}`) {
      hooks.push({ fn, label });
    },
    setDependencyUp(dep, up, reason) {
      dependencyUp.set({ dependency: dep }, up ? 1 : 0);
      if (required.has(dep) && required.get(dep) !== up) {
        required.set(dep, up);
        if (!up) logger.warn({ dependency: dep, reason }, 'dependency %s lost%s', dep, reason ? `: ${reason}` : '');
        refreshHealth();
      }
    },
    setBlocked(what, reason) {
      if (reason === undefined ? !blocked.delete(what) : blocked.get(what) === reason) return;
      if (reason !== undefined) blocked.set(what, reason);
      // A second block while already NOT_SERVING changes no state, so refreshHealth would not log it.
      if (reason !== undefined && lastReady === false)
        logger.error({ blocked: what, reason }, 'not ready: %s: %s', what, reason);
      refreshHealth();
    },
    watchDependency(dep, probe, watchOptions = {}) {
      const { intervalMs = 1000, timeoutMs = 1000 } = watchOptions;
      let up = true;
      void (async () => {
        while (!controller.signal.aborted) {
          await sleep(intervalMs, undefined, { signal: controller.signal, ref: false });
          const reason = await probeWithin(probe, timeoutMs, controller.signal);
          if (controller.signal.aborted) return;
          if ((reason === null) === up) continue;
          up = reason === null;
          if (up) logger.info({ dependency: dep }, 'dependency %s answers again', dep);
          // setDependencyUp logs the loss of a required dependency itself.
          else if (!required.has(dep))
            logger.warn({ dependency: dep, reason }, 'dependency %s is not answering: %s', dep, reason);
          ctx.setDependencyUp(dep, up, reason ?? undefined);
        }
      })().catch(() => undefined); // only the abort of the sleep at shutdown lands here
    },
    async dependency(dep, connect, depOptions = {}) {
      const { retry = {}, required: isRequired = true } = depOptions;
      const maxAttempts = retry.maxAttempts ?? Infinity;
      if (isRequired) {
        required.set(dep, false);
        refreshHealth();
      }
      dependencyUp.set({ dependency: dep }, 0);
      for (let attempt = 1; ; attempt++) {
        controller.signal.throwIfAborted();
        try {
          const value = await connect({ attempt, signal: controller.signal });
          logger.info({ dependency: dep, attempt }, 'connected to %s', dep);
          dependencyUp.set({ dependency: dep }, 1);
          if (isRequired) required.set(dep, true);
          refreshHealth();
          return value;
        } catch (err) {
          controller.signal.throwIfAborted();
          if (attempt >= maxAttempts) {
            logger.error({ dependency: dep, attempt, err }, 'giving up on %s after %d attempts', dep, attempt);
            throw err;
          }
          const delay = backoffDelayMs(attempt, retry);
          logger.warn(
            { dependency: dep, attempt, retryInMs: delay, error: errorText(err) },
            '%s unavailable (attempt %d): %s; retrying in %dms',
            dep,
            attempt,
            errorText(err),
            delay,
          );
          await sleep(delay, undefined, { signal: controller.signal });
        }
      }
    },
  };

  if (ownProcess) installProcessHandlers(logger, stop);

  void (async () => {
    try {
      await options.start(ctx);
      started = true;
      refreshHealth();
    } catch (err) {
      if (stopping) return; // a dependency wait cut short by shutdown
      logger.fatal({ err }, 'start failed');
      await stop('start failed');
      if (ownProcess) process.exit(1);
    }
  })();

  return { config, grpcPort, metricsUrl: metricsServer.url, ready, isReady, stop };
}

function installProcessHandlers(logger: Logger, stop: (reason: string) => Promise<boolean>) {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    void stop(signal).then((clean) => process.exit(clean ? 0 : 1));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const crash = (err: unknown) => {
    logger.fatal({ err }, 'crashed');
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

/** Null when the probe answered within `timeoutMs`, else why not. */
async function probeWithin(
  probe: (signal: AbortSignal) => Promise<unknown>,
  timeoutMs: number,
  shutdown: AbortSignal,
): Promise<string | null> {
  const signal = AbortSignal.any([shutdown, AbortSignal.timeout(timeoutMs)]);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    // A probe that ignores its signal still cannot hold the watch past the timeout.
    return await Promise.race([
      Promise.resolve()
        .then(() => probe(signal))
        .then(() => null),
      late,
    ]);
  } catch (err) {
    return errorText(err);
  } finally {
    clearTimeout(timer);
  }
}

function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(errorText).join('; ');
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

// For the startup log line: Secrets already print as [redacted]; mask passwords in URLs too.
function printable(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? maskUrlPassword(v) : v]),
  );
}
