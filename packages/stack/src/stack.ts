import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FailedPreconditionError, InvalidArgumentError } from '@omen/errors';
import { allTopics, loadTopicManifest } from '@omen/topics';
import { clusterPorts, stackPorts } from './config.ts';
import {
  ALL_ENGINE_NAMES,
  CLICKHOUSE_CLUSTER_NAME,
  CLICKHOUSE_CLUSTER_NODES,
  CLUSTER_ENGINE_NAMES,
  engineDefinitions,
  isEngineName,
  modeEngineNames,
  type EngineDefinition,
  type EngineName,
} from './engines.ts';
import { writeStackEnvFile, type StackEnv } from './env-file.ts';
import { stackPaths, type StackPathOptions } from './paths.ts';
import { clickhouseClusterProbe, kafkaTopicPartitions } from './probes.ts';
import {
  isOurProcess,
  logTail,
  portInUse,
  readPidFile,
  spawnDetached,
  stopProcess,
  withFileLock,
  writePidFile,
  type PidRecord,
} from './process.ts';

export interface StackOptions extends StackPathOptions {
  /** Which engines; the others are left as they are. @default all of the mode's */
  readonly engines?: readonly string[];
  /**
   * The clustered forms instead of the single-node engines they replace (ClickHouse: 2 shards ×
   * 2 replicas with ZooKeeper, Redis Cluster 3 masters + 3 replicas, NATS 3 servers with
   * JetStream). `down` and `status` infer it from what runs when not given.
   * @default false for `up`
   */
  readonly cluster?: boolean;
  /**
   * `up` of a whole mode: stop our running engines of the other mode (a developer's single-node
   * ClickHouse, Redis and NATS under `cluster`, the cluster's nodes without it) so one mode runs.
   * Without it such an `up` is refused, naming them: stopping someone's engines must be asked for.
   * @default false
   */
  readonly switchMode?: boolean;
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

/** A check of several engines together (the ClickHouse cluster's topology and ON CLUSTER DDL). */
export interface StackCheck {
  readonly name: string;
  /** Null when it passed, else why not. */
  readonly problem: string | null;
}

export interface StackResult {
  /** False when any selected engine failed or is unhealthy, or a check failed. */
  readonly ok: boolean;
  /** Whether the clustered forms were meant. */
  readonly cluster: boolean;
  readonly engines: readonly EngineResult[];
  /** Cross-engine checks (cluster mode only). */
  readonly checks: readonly StackCheck[];
  /** `.omen/stack.env`, rewritten by `up` and `down`. */
  readonly envFile: string;
  /** What `.omen/stack.env` now holds. */
  readonly env: StackEnv;
}

interface Resolved {
  readonly defs: Record<EngineName, EngineDefinition>;
  readonly cluster: boolean;
  readonly selected: readonly EngineName[];
  readonly env: NodeJS.ProcessEnv;
  readonly lockFile: string;
  readonly envFileOptions: StackPathOptions;
  readonly manifestPath: string | undefined;
}

/** A cluster engine of ours is alive: `down` and `status` without `--cluster` mean that stack. */
function clusterRunning(defs: Record<EngineName, EngineDefinition>): boolean {
  return CLUSTER_ENGINE_NAMES.some((name) => {
    const rec = readPidFile(defs[name].pidFile);
    return rec !== null && isOurProcess(rec);
  });
}

/**
 * `verb` decides the default selection: `up` starts the mode's engines; `down` also stops any
 * engine of the other mode that has a pid record, so nothing of ours is left running.
 */
function resolve(options: StackOptions, verb: 'up' | 'down' | 'status'): Resolved {
  const env = options.env ?? process.env;
  const paths = stackPaths(options);
  const unknown = (options.engines ?? []).filter((e) => !isEngineName(e));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown engine ${unknown.map((e) => `"${e}"`).join(', ')}; engines are ${ALL_ENGINE_NAMES.join(', ')}`,
      'engines',
    );
  const defs = engineDefinitions({
    paths,
    ports: stackPorts(env),
    clusterPorts: clusterPorts(env),
    ...(options.manifestPath ? { manifestPath: options.manifestPath } : {}),
  });
  const cluster = options.cluster ?? (verb === 'up' ? false : clusterRunning(defs));
  const mode = modeEngineNames(cluster);
  let selected: readonly EngineName[];
  if (options.engines && options.engines.length > 0)
    selected = ALL_ENGINE_NAMES.filter((e) => options.engines?.includes(e));
  else if (verb === 'down')
    selected = ALL_ENGINE_NAMES.filter((e) => mode.includes(e) || readPidFile(defs[e].pidFile) !== null);
  else selected = mode;
  return {
    defs,
    cluster,
    selected,
    env,
    lockFile: join(paths.run, 'stack.lock'),
    envFileOptions: { root: paths.root, home: paths.home },
    manifestPath: options.manifestPath,
  };
}

function result(
  def: EngineDefinition,
  state: EngineState,
  fields: Partial<Omit<EngineResult, 'name' | 'state'>> = {},
): EngineResult {
  return { name: def.name, state, address: null, pid: null, logFile: null, detail: null, logTail: null, ...fields };
}

/**
 * Set in the environment and not the address our own process recorded: someone else's engine.
 * (A shell that sourced `.omen/stack.env` carries our own addresses; those are not external.)
 */
function externalAddress(
  def: EngineDefinition,
  env: NodeJS.ProcessEnv,
  rec: PidRecord | null,
  defs?: Record<EngineName, EngineDefinition>,
): string | null {
  const value = env[def.envKey];
  if (!value) return null;
  if (rec && rec.address === value) return null;
  if (def.namesThisKind && !def.namesThisKind(value)) return null;
  // The other mode's (or another cluster node's) address of the same variable is ours too: a
  // shell that sourced the single-node stack.env must not make `up --cluster` skip the cluster,
  // nor one that sourced the cluster's make a later single-node `up` skip Redis or NATS. By the
  // other engine's own address, not only its pid file: `up` may just have stopped it.
  if (defs) {
    for (const other of Object.values(defs)) {
      if (other.envKey !== def.envKey) continue;
      if (readPidFile(other.pidFile)?.address === value || (other !== def && other.address() === value)) return null;
    }
  }
  return value;
}

function isClusterEngine(def: EngineDefinition): boolean {
  return (CLUSTER_ENGINE_NAMES as readonly string[]).includes(def.name);
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
  const external = externalAddress(def, r.env, rec, r.defs);
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

/** Addresses of every engine of the mode (selected or not) that is ours and alive, or external. */
function currentEnv(r: Resolved): StackEnv {
  const out: StackEnv = {};
  for (const name of modeEngineNames(r.cluster)) {
    const def = r.defs[name];
    const rec = readPidFile(def.pidFile);
    const external = externalAddress(def, r.env, rec, r.defs);
    if (external) {
      out[def.envKey] = external;
      continue;
    }
    const address = rec && isOurProcess(rec) ? rec.address : null;
    if (address) Object.assign(out, def.stackEnv ? def.stackEnv(address) : { [def.envKey]: address });
    // Tells the cluster-only integration tests (and `./scripts/test cluster`) that they may run.
    if (!external && address && isClusterEngine(def)) out.OMEN_CLUSTER = '1';
  }
  return out;
}

/** Cluster mode: the ClickHouse nodes form one cluster (topology, ZooKeeper, ON CLUSTER DDL). */
async function clusterChecks(r: Resolved, engines: readonly EngineResult[]): Promise<StackCheck[]> {
  if (!r.cluster) return [];
  const nodes = CLICKHOUSE_CLUSTER_NODES.map((n) => engines.find((e) => e.name === n.name));
  const ours = nodes.every((e) => e && (e.state === 'running' || e.state === 'started'));
  if (!ours) return [];
  const zookeeper = engines.find((e) => e.name === 'zookeeper');
  if (!zookeeper || (zookeeper.state !== 'running' && zookeeper.state !== 'started')) return [];
  const shards = new Set(CLICKHOUSE_CLUSTER_NODES.map((n) => n.shard)).size;
  const probe = clickhouseClusterProbe(
    CLICKHOUSE_CLUSTER_NODES.map((n) => r.defs[n.name].address() ?? ''),
    CLICKHOUSE_CLUSTER_NAME,
    shards,
    CLICKHOUSE_CLUSTER_NODES.length / shards,
  );
  // Right after a start the servers may not hold their ZooKeeper sessions yet.
  const deadline = Date.now() + 60_000;
  let problem = await probe();
  while (problem !== null && Date.now() < deadline) {
    await sleep(1000);
    problem = await probe();
  }
  return [{ name: `clickhouse cluster ${CLICKHOUSE_CLUSTER_NAME}`, problem }];
}

function finish(r: Resolved, engines: EngineResult[], checks: StackCheck[] = []): StackResult {
  const env = currentEnv(r);
  const envFile = writeStackEnvFile(env, r.envFileOptions);
  return {
    ok:
      engines.every((e) => e.state !== 'failed' && e.state !== 'unhealthy') && checks.every((c) => c.problem === null),
    cluster: r.cluster,
    engines,
    checks,
    envFile,
    env,
  };
}

/**
 * Starts the engines that are neither running nor external, waits until each answers, and
 * writes `.omen/stack.env`. Idempotent: running engines are only checked. Processes outlive
 * the caller; `stackDown` stops them.
 */
export async function stackUp(options: StackOptions = {}): Promise<StackResult> {
  const r = resolve(options, 'up');
  const timeoutMs = options.timeoutMs ?? 60_000;
  return withFileLock(r.lockFile, timeoutMs * 2 + 90_000, async () => {
    // One mode at a time: the other mode's engines of ours (the single ClickHouse, Redis, NATS
    // under --cluster; the cluster's nodes without it) stop first, so nothing is left serving an
    // address that .omen/stack.env no longer names. An explicit engine list touches only those.
    const explicit = options.engines !== undefined && options.engines.length > 0;
    const others = explicit ? [] : modeEngineNames(!r.cluster).filter((name) => !r.selected.includes(name));
    const runningOthers = others.filter((name) => {
      const rec = readPidFile(r.defs[name].pidFile);
      return rec !== null && isOurProcess(rec);
    });
    if (runningOthers.length > 0 && !options.switchMode)
      throw new FailedPreconditionError(
        `${runningOthers.join(', ')} of the ${r.cluster ? 'single-node' : 'cluster'} stack ${runningOthers.length > 1 ? 'are' : 'is'} running: ` +
          `\`stack up${r.cluster ? ' --cluster' : ''}\` would stop ${runningOthers.length > 1 ? 'them' : 'it'} (one mode runs at a time; data is kept). ` +
          `Add --switch to do that, or \`./scripts/omen stack down\` first`,
      );
    const stoppedOthers = (
      await Promise.all(others.map((name) => stopOurs(r.defs[name], options.graceMs ?? 15_000)))
    ).filter((e) => e !== null);
    // A ClickHouse node that holds replicated tables will not start without ZooKeeper (it loads
    // them at boot): ZooKeeper is up first, then the rest at once.
    const byName = new Map<EngineName, EngineResult>();
    for (const wave of [r.selected.filter((n) => n === 'zookeeper'), r.selected.filter((n) => n !== 'zookeeper')]) {
      for (const e of await Promise.all(wave.map((name) => upEngine(r.defs[name], r, timeoutMs))))
        byName.set(e.name, e);
    }
    const engines = r.selected.flatMap((name) => byName.get(name) ?? []);
    const all = r.cluster ? await resultsOfMode(r, engines) : engines;
    return finish(
      r,
      [
        ...stoppedOthers.map((e) => ({ ...e, detail: e.detail ?? `the other mode's; stopped so one mode runs` })),
        ...engines,
      ],
      await clusterChecks(r, all),
    );
  });
}

/** The selected engines' results plus the state of the mode's others (for the cluster check). */
async function resultsOfMode(r: Resolved, selected: readonly EngineResult[]): Promise<EngineResult[]> {
  return Promise.all(
    modeEngineNames(r.cluster).map(
      async (name) => selected.find((e) => e.name === name) ?? (await engineStatus(r, name)),
    ),
  );
}

/** Stops the engine if it is ours and alive (SIGTERM, then SIGKILL after the grace period); null if not. */
async function stopOurs(def: EngineDefinition, graceMs: number): Promise<EngineResult | null> {
  const rec = readPidFile(def.pidFile);
  if (!rec || !isOurProcess(rec)) return null;
  const killed = await stopProcess(rec, graceMs);
  rmSync(def.pidFile, { force: true });
  def.cleanup?.();
  return result(def, 'stopped', {
    pid: rec.pid,
    logFile: def.logFile,
    detail: killed ? `did not stop within ${graceMs} ms; killed` : null,
  });
}

/** Stops our engines (SIGTERM, then SIGKILL after the grace period); external ones are untouched. */
export async function stackDown(options: StackOptions = {}): Promise<StackResult> {
  const r = resolve(options, 'down');
  const graceMs = options.graceMs ?? 15_000;
  return withFileLock(r.lockFile, graceMs * 2 + 30_000, async () => {
    const engines = await Promise.all(
      r.selected.map(async (name): Promise<EngineResult> => {
        const def = r.defs[name];
        const external = externalAddress(def, r.env, readPidFile(def.pidFile), r.defs);
        const stopped = await stopOurs(def, graceMs);
        if (stopped) return stopped;
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
async function engineStatus(r: Resolved, name: EngineName): Promise<EngineResult> {
  const def = r.defs[name];
  const rec = readPidFile(def.pidFile);
  const external = externalAddress(def, r.env, rec, r.defs);
  if (external) return result(def, 'external', { address: external });
  if (rec && isOurProcess(rec)) {
    const why = await def.probe();
    return result(def, why ? 'unhealthy' : 'running', {
      address: rec.address ?? def.address(),
      pid: rec.pid,
      logFile: def.logFile,
      detail: why,
    });
  }
  const skip = def.unavailable();
  return result(def, skip ? 'skipped' : 'stopped', { detail: skip });
}

export async function stackStatus(options: StackOptions = {}): Promise<StackResult> {
  const r = resolve(options, 'status');
  const engines = await Promise.all(r.selected.map((name) => engineStatus(r, name)));
  const env = currentEnv(r);
  return {
    ok: engines.every((e) => e.state === 'running' || e.state === 'external' || e.state === 'skipped'),
    cluster: r.cluster,
    checks: [],
    engines,
    envFile: stackPaths(r.envFileOptions).envFile,
    env,
  };
}
