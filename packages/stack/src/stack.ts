import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '@omen/errors';
import { allTopics, loadTopicManifest } from '@omen/topics';
import { stackPorts } from './config.ts';
import { defaultEngines, ENGINE_NAMES, engineDefinitions, isClusterEngine, isEngineName, type EngineDefinition, type EngineName } from './engines.ts';
import { writeStackEnvFile, type StackEnv } from './env-file.ts';
import { stackPaths, type StackPathOptions } from './paths.ts';
import { kafkaTopicPartitions } from './probes.ts';
import { isOurProcess, logTail, portInUse, readPidFile, spawnDetached, stopProcess, withFileLock, writePidFile, type PidRecord } from './process.ts';

export interface StackOptions extends StackPathOptions {
  /** Which engines; the others are left as they are. @default the single-node stack (`up`, `status`), every engine (`down`) */
  readonly engines?: readonly string[];
  /**
   * The clustered forms instead of the single-node Redis and NATS (Redis Cluster, a NATS
   * cluster), when `engines` is not given. @default false
   */
  readonly cluster?: boolean;
  /** How long one engine may take to answer after it was started. @default 60000 */
  readonly timeoutMs?: number;
  /** `down`: SIGTERM, then SIGKILL after this long. @default 15000 */
  readonly graceMs?: number;
  /** Where ports and external addresses are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The topic manifest for the dev broker. @default the repository's topics.yaml */
  readonly manifestPath?: string;
}

/**
 * - `running`: ours, up and answering (left alone by `up`)
 * - `started`: ours, started by this call and answering
 * - `external`: its variable points elsewhere; never started or stopped here
 * - `stopped`: not running (after `down`: stopped by it or already)
 * - `skipped`: cannot be started yet (`detail` says why)
 * - `unhealthy`: our process is alive but does not answer
 * - `failed`: did not come up (`log` holds the end of its log)
 */
export type EngineState = 'running' | 'started' | 'external' | 'stopped' | 'skipped' | 'unhealthy' | 'failed';

export interface EngineResult {
  readonly name: EngineName;
  readonly state: EngineState;
  readonly address: string | null;
  readonly pid: number | null;
  /** The engine's log file (ours only). */
  readonly logFile: string | null;
  readonly detail: string | null;
  /** The end of the engine's log, when it failed. */
  readonly logTail: string | null;
}

export interface StackResult {
  /** False when any selected engine failed or is unhealthy. */
  readonly ok: boolean;
  readonly engines: readonly EngineResult[];
  /** `.omen/stack.env`, rewritten by `up` and `down`. */
  readonly envFile: string;
  /** What `.omen/stack.env` now holds. */
  readonly env: StackEnv;
}

interface Resolved {
  readonly defs: Record<EngineName, EngineDefinition>;
  readonly selected: readonly EngineName[];
  readonly env: NodeJS.ProcessEnv;
  readonly lockFile: string;
  readonly envFileOptions: StackPathOptions;
  readonly manifestPath: string | undefined;
}

function resolve(options: StackOptions, all = false): Resolved {
  const env = options.env ?? process.env;
  const paths = stackPaths(options);
  const unknown = (options.engines ?? []).filter((e) => !isEngineName(e));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown engine ${unknown.map((e) => `"${e}"`).join(', ')}; engines are ${ENGINE_NAMES.join(', ')}`, 'engines');
  const fallback = all ? ENGINE_NAMES : defaultEngines(options.cluster ?? false);
  const selected = options.engines && options.engines.length > 0 ? ENGINE_NAMES.filter((e) => options.engines?.includes(e)) : fallback;
  return {
    defs: engineDefinitions({ paths, ports: stackPorts(env), ...(options.manifestPath ? { manifestPath: options.manifestPath } : {}) }),
    selected,
    env,
    lockFile: join(paths.run, 'stack.lock'),
    envFileOptions: { root: paths.root, home: paths.home },
    manifestPath: options.manifestPath,
  };
}

function result(def: EngineDefinition, state: EngineState, fields: Partial<Omit<EngineResult, 'name' | 'state'>> = {}): EngineResult {
  return { name: def.name, state, address: null, pid: null, logFile: null, detail: null, logTail: null, ...fields };
}

/**
 * Set in the environment and not the address our own process recorded: someone else's engine.
 * (A shell that sourced `.omen/stack.env` carries our own addresses; those are not external.)
 */
function externalAddress(def: EngineDefinition, env: NodeJS.ProcessEnv, rec: PidRecord | null): string | null {
  const value = env[def.envKey];
  if (!value) return null;
  if (rec && rec.address === value) return null;
  if (def.namesThisKind && !def.namesThisKind(value)) return null;
  return value;
}

async function waitReady(def: EngineDefinition, pid: number | null, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let why: string | null = 'not probed';
  while (Date.now() < deadline) {
    why = await def.probe();
    if (why === null) return null;
    if (pid !== null && !isOurProcess({ pid, marker: def.marker })) return `exited while starting (last check: ${why})`;
    await sleep(250);
  }
  return `not ready after ${timeoutMs} ms (last check: ${why})`;
}

/** The dev broker cannot create topics later: say which manifest topics a running one lacks. */
async function kafkaManifestDrift(def: EngineDefinition, manifestPath: string | undefined): Promise<string | null> {
  const address = def.address();
  if (!address) return null;
  const have = await kafkaTopicPartitions(address.split(','));
  const wrong = allTopics(loadTopicManifest(manifestPath)).filter((t) => have.get(t.name) !== t.partitions);
  if (wrong.length === 0) return null;
  return (
    `the running dev broker lacks or differs on ${wrong.map((t) => t.name).join(', ')} (topics.yaml changed since it started); ` +
    '`./scripts/omen stack down kafka && ./scripts/omen stack up kafka` recreates it (its records are lost)'
  );
}

async function upEngine(def: EngineDefinition, r: Resolved, timeoutMs: number): Promise<EngineResult> {
  const rec = readPidFile(def.pidFile);
  const external = externalAddress(def, r.env, rec);
  if (external) return result(def, 'external', { address: external });

  if (rec && isOurProcess(rec)) {
    const why = await waitReady(def, rec.pid, timeoutMs);
    const base = { address: def.address(), pid: rec.pid, logFile: def.logFile };
    if (why) return result(def, 'unhealthy', { ...base, detail: why, logTail: logTail(def.logFile) });
    const drift = def.name === 'kafka' ? await kafkaManifestDrift(def, r.manifestPath).catch(() => null) : null;
    return result(def, 'running', { ...base, detail: drift });
  }
  if (rec) rmSync(def.pidFile, { force: true });

  const skip = def.unavailable();
  if (skip) return result(def, 'skipped', { detail: `${skip}; skipped (set ${def.envKey} to use an existing one)` });

  for (const { port, variable } of def.ports) {
    if (await portInUse(port)) {
      return result(def, 'failed', {
        detail: `port ${port} is in use by another process: move ours with ${variable}=<port>, or set ${def.envKey} to use that one`,
      });
    }
  }

  let pid: number;
  try {
    pid = spawnDetached(def.prepare(), def.logFile);
  } catch (err) {
    return result(def, 'failed', { logFile: def.logFile, detail: (err as Error).message });
  }
  const startedAt = new Date().toISOString();
  writePidFile(def.pidFile, { pid, marker: def.marker, address: null, startedAt });
  const why = await waitReady(def, pid, timeoutMs);
  if (why) {
    const tail = logTail(def.logFile);
    // Do not leave a half-started engine holding its ports for the next attempt.
    await stopProcess({ pid, marker: def.marker, address: null, startedAt }, 5000);
    rmSync(def.pidFile, { force: true });
    return result(def, 'failed', { pid, logFile: def.logFile, detail: why, logTail: tail });
  }
  const address = def.address();
  writePidFile(def.pidFile, { pid, marker: def.marker, address, startedAt });
  return result(def, 'started', { address, pid, logFile: def.logFile });
}

/** Addresses of every engine (selected or not) that is ours and alive, or external. */
function currentEnv(r: Resolved): StackEnv {
  const out: StackEnv = {};
  for (const name of ENGINE_NAMES) {
    const def = r.defs[name];
    const rec = readPidFile(def.pidFile);
    const external = externalAddress(def, r.env, rec);
    const ours = rec !== null && isOurProcess(rec);
    const address = external ?? (ours ? rec.address : null);
    if (address) out[def.envKey] = address;
    // Tells the cluster-only integration tests (and `./scripts/test cluster`) that they may run.
    if (ours && isClusterEngine(name)) out.OMEN_CLUSTER = '1';
  }
  return out;
}

function finish(r: Resolved, engines: EngineResult[]): StackResult {
  const env = currentEnv(r);
  const envFile = writeStackEnvFile(env, r.envFileOptions);
  return { ok: engines.every((e) => e.state !== 'failed' && e.state !== 'unhealthy'), engines, envFile, env };
}

/**
 * Starts the engines that are neither running nor external, waits until each answers, and
 * writes `.omen/stack.env`. Idempotent: running engines are only checked. Processes outlive
 * the caller; `stackDown` stops them.
 */
export async function stackUp(options: StackOptions = {}): Promise<StackResult> {
  const r = resolve(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  return withFileLock(r.lockFile, timeoutMs * 2 + 30_000, async () => {
    const engines = await Promise.all(r.selected.map((name) => upEngine(r.defs[name], r, timeoutMs)));
    return finish(r, engines);
  });
}

/** Stops our engines (SIGTERM, then SIGKILL after the grace period); external ones are untouched. */
export async function stackDown(options: StackOptions = {}): Promise<StackResult> {
  const r = resolve(options, !options.cluster);
  const graceMs = options.graceMs ?? 15_000;
  return withFileLock(r.lockFile, graceMs * 2 + 30_000, async () => {
    const engines = await Promise.all(
      r.selected.map(async (name): Promise<EngineResult> => {
        const def = r.defs[name];
        const rec = readPidFile(def.pidFile);
        const external = externalAddress(def, r.env, rec);
        if (rec && isOurProcess(rec)) {
          const killed = await stopProcess(rec, graceMs);
          rmSync(def.pidFile, { force: true });
          def.cleanup?.();
          return result(def, 'stopped', { pid: rec.pid, logFile: def.logFile, detail: killed ? `did not stop within ${graceMs} ms; killed` : null });
        }
        rmSync(def.pidFile, { force: true });
        def.cleanup?.();
        if (external) return result(def, 'external', { address: external, detail: 'not ours; left running' });
        return result(def, 'stopped');
      }),
    );
    return finish(r, engines);
  });
}

/** Each engine's state without changing anything (`.omen/stack.env` is left as it is). */
export async function stackStatus(options: StackOptions = {}): Promise<StackResult> {
  const r = resolve(options);
  const engines = await Promise.all(
    r.selected.map(async (name): Promise<EngineResult> => {
      const def = r.defs[name];
      const rec = readPidFile(def.pidFile);
      const external = externalAddress(def, r.env, rec);
      if (external) return result(def, 'external', { address: external });
      if (rec && isOurProcess(rec)) {
        const why = await def.probe();
        return result(def, why ? 'unhealthy' : 'running', { address: rec.address ?? def.address(), pid: rec.pid, logFile: def.logFile, detail: why });
      }
      const skip = def.unavailable();
      return result(def, skip ? 'skipped' : 'stopped', { detail: skip });
    }),
  );
  const env = currentEnv(r);
  return {
    ok: engines.every((e) => e.state === 'running' || e.state === 'external' || e.state === 'skipped'),
    engines,
    envFile: stackPaths(r.envFileOptions).envFile,
    env,
  };
}
