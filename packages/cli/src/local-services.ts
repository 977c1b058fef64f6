import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkHealth } from '@omen/grpc';
import {
  isOurProcess,
  logTail,
  prometheusTargetsDir,
  readPidFile,
  readStackEnv,
  spawnDetached,
  stackPaths,
  STACK_FILE_KEYS,
  stopProcess,
  writePidFile,
  writePrometheusTargets,
} from '@omen/stack';

/**
 * The services in the order data flows through them; scm-checks last: it decorates pull requests
 * with what the others produced (locally without SCM credentials it skips both SCMs, with a
 * warning, but still consumes and asks inference, so `services status` shows it SERVING).
 */
export const SERVICE_NAMES = [
  'ingest',
  'featurizer',
  'trainer-coordinator',
  'inference',
  'drift-detector',
  'ab-router',
  'scm-checks',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServicePorts {
  readonly grpc: number;
  readonly metrics: number;
}

/**
 * Fixed local ports, one pair per service, so the printed addresses stay the same between runs.
 * OMEN_GRPC_PORT_BASE / OMEN_METRICS_PORT_BASE move the whole block.
 */
export function servicePorts(name: ServiceName, env: NodeJS.ProcessEnv = process.env): ServicePorts {
  const index = SERVICE_NAMES.indexOf(name);
  const base = (variable: string, fallback: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1024 || n > 65_000) {
      throw new Error(`${variable} must be an integer port between 1024 and 65000, got "${raw}"`);
    }
    return n;
  };
  return { grpc: base('OMEN_GRPC_PORT_BASE', 50051) + index, metrics: base('OMEN_METRICS_PORT_BASE', 9461) + index };
}

export interface LocalService {
  readonly name: ServiceName;
  readonly state: 'serving' | 'not-serving' | 'stopped' | 'absent' | 'failed';
  readonly grpc: string | null;
  readonly metrics: string | null;
  readonly pid: number | null;
  readonly detail?: string;
}

function paths(name: ServiceName) {
  const p = stackPaths();
  return {
    main: join(p.root, 'services', name, 'src', 'main.ts'),
    pidFile: join(p.home, 'services', 'run', `${name}.pid`),
    logFile: join(p.home, 'services', 'logs', `${name}.log`),
  };
}

/**
 * The admin token of the local mesh: generated once, kept in .omen/admin-token (0600), passed to
 * the services in their environment and never printed.
 */
export function localAdminToken(): { token: string; file: string } {
  const file = join(stackPaths().home, 'admin-token');
  if (!existsSync(file)) {
    mkdirSync(stackPaths().home, { recursive: true });
    writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { token: readFileSync(file, 'utf8').trim(), file };
}

/**
 * Secrets the local services need besides the admin token — ingest's pseudonym key and webhook
 * secrets — generated once into .omen/secrets.env (0600) and passed in the environment; never
 * printed. Deployments set them from their secret store instead.
 */
export function localSecrets(): { env: Record<string, string>; file: string } {
  const file = join(stackPaths().home, 'secrets.env');
  const wanted = ['INGEST_PSEUDONYM_KEY', 'INGEST_GITHUB_WEBHOOK_SECRET', 'INGEST_GITLAB_WEBHOOK_TOKEN'];
  const env: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  if (wanted.some((k) => !env[k])) {
    for (const k of wanted) env[k] ??= randomBytes(24).toString('base64url');
    mkdirSync(stackPaths().home, { recursive: true });
    writeFileSync(
      file,
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    chmodSync(file, 0o600);
  }
  return { env, file };
}

/** Ingest's webhook HTTP port: fixed beside the gRPC block. OMEN_INGEST_HTTP_PORT moves it. @default 8080 */
export function ingestHttpPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['OMEN_INGEST_HTTP_PORT'];
  const n = raw === undefined || raw === '' ? 8080 : Number(raw);
  if (!Number.isInteger(n) || n < 1024 || n > 65_000)
    throw new Error(`OMEN_INGEST_HTTP_PORT must be an integer port between 1024 and 65000, got "${raw}"`);
  return n;
}

/** Inference's HTTP/JSON port (Open Inference Protocol REST, /v1/analyze). OMEN_INFERENCE_HTTP_PORT moves it. @default 8084 */
export function inferenceHttpPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['OMEN_INFERENCE_HTTP_PORT'];
  const n = raw === undefined || raw === '' ? 8084 : Number(raw);
  if (!Number.isInteger(n) || n < 1024 || n > 65_000)
    throw new Error(`OMEN_INFERENCE_HTTP_PORT must be an integer port between 1024 and 65000, got "${raw}"`);
  return n;
}

function describe(name: ServiceName, state: LocalService['state'], pid: number | null, detail?: string): LocalService {
  const ports = servicePorts(name);
  const up = state === 'serving' || state === 'not-serving';
  return {
    name,
    state,
    grpc: up ? `127.0.0.1:${ports.grpc}` : null,
    metrics: up ? `http://127.0.0.1:${ports.metrics}/metrics` : null,
    pid,
    ...(detail ? { detail } : {}),
  };
}

async function statusOf(name: ServiceName): Promise<LocalService> {
  const { main, pidFile } = paths(name);
  if (!existsSync(main)) return describe(name, 'absent', null);
  const rec = readPidFile(pidFile);
  if (!rec || !isOurProcess(rec)) return describe(name, 'stopped', null);
  const health = await checkHealth(`127.0.0.1:${servicePorts(name).grpc}`);
  return describe(
    name,
    health === 'SERVING' ? 'serving' : 'not-serving',
    rec.pid,
    health ? undefined : 'gRPC not answering',
  );
}

export function servicesStatus(): Promise<LocalService[]> {
  return Promise.all(SERVICE_NAMES.map(statusOf));
}

/**
 * Starts every service that exists (detached, logs under .omen/services/logs) against the
 * engines in .omen/stack.env, then waits until each answers SERVING on grpc.health.v1.
 */
export async function servicesUp(
  only: readonly ServiceName[] = SERVICE_NAMES,
  timeoutMs = 90_000,
): Promise<LocalService[]> {
  const engines = readStackEnv();
  const { token } = localAdminToken();
  const secrets = localSecrets().env;
  const root = stackPaths().root;
  // The embedded Prometheus scrapes all of them on their fixed metrics ports (up or not: a service
  // that is down is the `up == 0` the alert rules watch).
  writePrometheusTargets(
    prometheusTargetsDir(stackPaths()),
    'services',
    SERVICE_NAMES.map((name) => ({ address: `127.0.0.1:${servicePorts(name).metrics}`, labels: { service: name } })),
  );
  const started: ServiceName[] = [];
  for (const name of only) {
    const current = await statusOf(name);
    if (current.state !== 'stopped') continue;
    const { main, pidFile, logFile } = paths(name);
    const ports = servicePorts(name);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...secrets,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(ports.grpc),
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(ports.metrics),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(ingestHttpPort()),
      INFERENCE_HTTP_HOST: '127.0.0.1',
      INFERENCE_HTTP_PORT: String(inferenceHttpPort()),
      ADMIN_TOKEN: token,
      FEATURIZER_ADDR: `127.0.0.1:${servicePorts('featurizer').grpc}`,
      INFERENCE_ADDR: `127.0.0.1:${servicePorts('inference').grpc}`,
      // Drift windows of a day, reported after 2 idle minutes, so a local replay shows reports soon.
      DRIFT_WINDOW: process.env['DRIFT_WINDOW'] ?? '1d',
      DRIFT_MIN_SAMPLES: process.env['DRIFT_MIN_SAMPLES'] ?? '30',
      DRIFT_IDLE_CLOSE: process.env['DRIFT_IDLE_CLOSE'] ?? '2m',
    };
    for (const key of STACK_FILE_KEYS) if (engines[key]) env[key] = engines[key];
    const pid = spawnDetached({ command: process.execPath, args: ['--import', 'tsx', main], cwd: root, env }, logFile);
    writePidFile(pidFile, {
      pid,
      marker: main,
      address: `127.0.0.1:${ports.grpc}`,
      startedAt: new Date().toISOString(),
    });
    started.push(name);
  }
  const deadline = Date.now() + timeoutMs;
  const results = new Map<ServiceName, LocalService>();
  while (results.size < started.length && Date.now() < deadline) {
    for (const name of started) {
      if (results.has(name)) continue;
      const s = await statusOf(name);
      if (s.state === 'serving') results.set(name, s);
      else if (s.state === 'stopped')
        results.set(
          name,
          describe(name, 'failed', null, `exited; last lines of its log:\n${logTail(paths(name).logFile, 20)}`),
        );
    }
    await sleep(250);
  }
  for (const name of started) {
    if (!results.has(name))
      results.set(
        name,
        describe(
          name,
          'failed',
          null,
          `not SERVING after ${timeoutMs / 1000}s; last lines of its log:\n${logTail(paths(name).logFile, 20)}`,
        ),
      );
  }
  return Promise.all(SERVICE_NAMES.map(async (name) => results.get(name) ?? (await statusOf(name))));
}

export async function servicesDown(graceMs = 20_000): Promise<LocalService[]> {
  await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      const { pidFile } = paths(name);
      const rec = readPidFile(pidFile);
      if (rec) await stopProcess(rec, graceMs);
      rmSync(pidFile, { force: true });
    }),
  );
  return servicesStatus();
}
