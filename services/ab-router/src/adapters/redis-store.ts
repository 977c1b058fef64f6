// Experiments and their running statistics in Redis, shared by every replica.
//
// Keys (P is `{ABROUTER_KEY_PREFIX}`: the braces are a Redis Cluster hash tag that puts the whole
// ab-router state in one slot, as the scripts and pipelines below touch several of these keys at
// once — the create script even reads an experiment whose id it finds in P:active:<model>. The
// state is a few hashes per experiment, so one slot holds it; a prefix that already carries a
// tag is used as it is):
//   P:exp:<id>          hash: spec (JSON), state, model, created_at, stopped_at, stop_reason
//   P:experiments       sorted set of ids by creation time (the index ListExperiments reads)
//   P:active:<model>    the id of the model's RUNNING or ROLLED_BACK experiment (routing target)
//   P:stats:<id>        hash "<arm>|<metric>|n|sum|sq" → sufficient statistics, added to by every replica
//   P:units:<id>:<arm>  HyperLogLog of the arm's distinct units (±0.81% above a few hundred)
// State changes are Lua scripts, so two replicas cannot both create a model's experiment or
// both roll one back: exactly one sees `changed`.
import { createRedisClient, type RedisClient } from '@omen/service';
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, NotFoundError, UnavailableError, quote } from '@omen/errors';
import type { ExperimentRecord, ExperimentSpec, ExperimentStateName } from '../domain/experiment.ts';
import type { Moments } from '../domain/statistics.ts';

const CREATE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local st = redis.call('HGET', ARGV[5] .. cur, 'state')
  if st == 'RUNNING' then return cur end
end
redis.call('HSET', KEYS[2], 'spec', ARGV[2], 'state', 'RUNNING', 'created_at', ARGV[3], 'model', ARGV[4])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return false
`;

// KEYS: experiment hash, the model's active key, the experiment's decision list.
// ARGV: target state (STOPPED | ROLLED_BACK | PROMOTED), stopped_at, reason, id, decision JSON or ''.
// RUNNING → target; STOPPED and PROMOTED release the model (traffic passes through to production).
// A canary's decision is written with the state it led to, so no reader sees PROMOTED or
// ROLLED_BACK next to the previous decision.
// Stopping a ROLLED_BACK experiment keeps its state and only releases the model.
// Returns {state, changed(0/1)} or false when the experiment does not exist.
const TRANSITION = `
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return false end
local changed = 0
if st == 'RUNNING' then
  redis.call('HSET', KEYS[1], 'state', ARGV[1], 'stopped_at', ARGV[2], 'stop_reason', ARGV[3])
  if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[1], 'decision', ARGV[5])
    redis.call('RPUSH', KEYS[3], ARGV[5])
  end
  st = ARGV[1]
  changed = 1
end
if (ARGV[1] == 'STOPPED' or ARGV[1] == 'PROMOTED') and redis.call('GET', KEYS[2]) == ARGV[4] then
  redis.call('DEL', KEYS[2])
  changed = 1
end
return {st, changed}
`;

// A canary's next ramp stage: only from the stage the caller saw, only while RUNNING.
// ARGV: expected stage, new stage, started_at. Returns 1 when it moved.
const RAMP = `
if redis.call('HGET', KEYS[1], 'state') ~= 'RUNNING' then return 0 end
local cur = redis.call('HGET', KEYS[1], 'stage') or '0'
if cur ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'stage', ARGV[2], 'stage_started_at', ARGV[3])
return 1
`;

export interface Observation {
  experimentId: string;
  arm: string;
  unitId: string;
  metric: string;
  value: number;
}

export interface StoredStats {
  /** arm → distinct units (HyperLogLog estimate). */
  units: Map<string, number>;
  /** "arm|metric" → moments. */
  moments: Map<string, Moments>;
}

export interface StoreOptions {
  url: string;
  prefix: string;
  commandTimeoutMs: number;
}

export class ExperimentStore {
  readonly redis: RedisClient;
  readonly #p: string;

  constructor(options: StoreOptions) {
    this.#p = /\{[^}]+\}/.test(options.prefix) ? options.prefix : `{${options.prefix}}`;
    this.redis = createRedisClient(options.url, {
      lazyConnect: true,
      commandTimeout: options.commandTimeoutMs,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: false,
    });
    this.redis.defineCommand('abCreate', { numberOfKeys: 3, lua: CREATE });
    this.redis.defineCommand('abTransition', { numberOfKeys: 3, lua: TRANSITION });
    this.redis.defineCommand('abRamp', { numberOfKeys: 1, lua: RAMP });
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  #expKey = (id: string) => `${this.#p}:exp:${id}`;
  #activeKey = (model: string) => `${this.#p}:active:${model}`;
  get #indexKey() {
    return `${this.#p}:experiments`;
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new UnavailableError(`Redis ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Stores a RUNNING experiment; ALREADY_EXISTS when the model has a RUNNING one. */
  async create(spec: ExperimentSpec, now = Date.now()): Promise<ExperimentRecord> {
    const id = `exp-${randomUUID()}`;
    const conflict = await this.#run('create', () =>
      (this.redis as unknown as { abCreate(...a: string[]): Promise<string | null> }).abCreate(
        this.#activeKey(spec.modelName),
        this.#expKey(id),
        this.#indexKey,
        id,
        JSON.stringify(spec),
        String(now),
        spec.modelName,
        `${this.#p}:exp:`,
      ),
    );
    if (conflict)
      throw new AlreadyExistsError(
        `model ${spec.modelName} already has a running experiment (${conflict}); stop it first`,
        `experiment/${conflict}`,
      );
    return { id, spec, state: 'RUNNING', createdAt: now };
  }

  async get(id: string): Promise<ExperimentRecord | undefined> {
    const h = await this.#run('read', () => this.redis.hgetall(this.#expKey(id)));
    return parseRecord(id, h);
  }

  async mustGet(id: string): Promise<ExperimentRecord> {
    const r = await this.get(id);
    if (!r) throw new NotFoundError(`experiment ${quote(id)} does not exist`, `experiment/${id}`);
    return r;
  }

  /** Every experiment, newest first, and which one each model routes to. */
  async all(limit = 1000): Promise<{ records: ExperimentRecord[]; active: Map<string, string> }> {
    const ids = await this.#run('list', () => this.redis.zrevrange(this.#indexKey, 0, limit - 1));
    if (ids.length === 0) return { records: [], active: new Map() };
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(this.#expKey(id));
    const rows = await this.#run('list', () => pipe.exec());
    const records = ids
      .map((id, i) => parseRecord(id, (rows?.[i]?.[1] ?? {}) as Record<string, string>))
      .filter((r): r is ExperimentRecord => r !== undefined);
    const models = [...new Set(records.map((r) => r.spec.modelName))];
    const actives = await this.#run('list', () => this.redis.mget(...models.map(this.#activeKey)));
    const active = new Map<string, string>();
    models.forEach((m, i) => {
      const id = actives[i];
      if (id) active.set(m, id);
    });
    return { records, active };
  }

  /**
   * RUNNING → STOPPED or ROLLED_BACK. `changed` is true for exactly one caller of a
   * transition, so only that one announces it.
   */
  /** RUNNING → `to`; with `decisionJson`, that decision is stored in the same step (see TRANSITION). */
  async transition(
    id: string,
    to: Exclude<ExperimentStateName, 'RUNNING'>,
    reason: string,
    now = Date.now(),
    decisionJson = '',
  ): Promise<{ record: ExperimentRecord; changed: boolean }> {
    const before = await this.mustGet(id);
    const out = await this.#run('update', () =>
      (this.redis as unknown as { abTransition(...a: string[]): Promise<[string, number] | null> }).abTransition(
        this.#expKey(id),
        this.#activeKey(before.spec.modelName),
        `${this.#p}:decisions:${id}`,
        to,
        String(now),
        reason,
        id,
        decisionJson,
      ),
    );
    if (!out) throw new NotFoundError(`experiment ${quote(id)} does not exist`, `experiment/${id}`);
    return { record: await this.mustGet(id), changed: out[1] === 1 };
  }

  /** Moves a RUNNING canary from stage `from` to `from + 1`; false when another replica did first or it stopped. */
  async ramp(id: string, from: number, now = Date.now()): Promise<boolean> {
    const moved = await this.#run('ramp', () =>
      (this.redis as unknown as { abRamp(...a: string[]): Promise<number> }).abRamp(
        this.#expKey(id),
        String(from),
        String(from + 1),
        String(now),
      ),
    );
    return moved === 1;
  }

  /** The last evaluation (outcomes, SRM, sequential tests) as JSON, for GetExperiment on every replica. */
  async saveEvaluation(id: string, evaluationJson: string): Promise<void> {
    await this.#run('evaluation write', () => this.redis.hset(this.#expKey(id), 'evaluation', evaluationJson));
  }

  /** A decision that changed something: the latest on the hash, every one in `P:decisions:<id>`. */
  async saveDecision(id: string, decisionJson: string): Promise<void> {
    await this.#run('decision write', () =>
      this.redis
        .multi()
        .hset(this.#expKey(id), 'decision', decisionJson)
        .rpush(`${this.#p}:decisions:${id}`, decisionJson)
        .exec(),
    );
  }

  async decisions(id: string): Promise<string[]> {
    return this.#run('decisions read', () => this.redis.lrange(`${this.#p}:decisions:${id}`, 0, -1));
  }

  /** One evaluator at a time across replicas: SET NX PX; true when this caller holds it. */
  async lock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const key = `${this.#p}:lock:${name}`;
    const got = await this.#run('lock', () => this.redis.set(key, owner, 'PX', ttlMs, 'NX'));
    if (got === 'OK') return true;
    // Ours already: extend.
    const cur = await this.#run('lock', () => this.redis.get(key));
    if (cur === owner) {
      await this.#run('lock', () => this.redis.pexpire(key, ttlMs));
      return true;
    }
    return false;
  }

  /** Adds observations (already summed per arm and metric) and units in one round trip. */
  async addObservations(
    moments: ReadonlyMap<string, ReadonlyMap<string, Moments>>,
    units: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>,
  ): Promise<void> {
    const pipe = this.redis.pipeline();
    for (const [id, byKey] of moments) {
      const key = `${this.#p}:stats:${id}`;
      for (const [armMetric, m] of byKey) {
        pipe.hincrby(key, `${armMetric}|n`, m.n);
        pipe.hincrbyfloat(key, `${armMetric}|sum`, m.sum);
        pipe.hincrbyfloat(key, `${armMetric}|sq`, m.sumSq);
      }
    }
    for (const [id, byArm] of units)
      for (const [arm, list] of byArm) if (list.length > 0) pipe.pfadd(`${this.#p}:units:${id}:${arm}`, ...list);
    const res = await this.#run('stats write', () => pipe.exec());
    const failed = res?.find(([err]) => err);
    if (failed?.[0]) throw new UnavailableError(`Redis stats write failed: ${failed[0].message}`, { cause: failed[0] });
  }

  async stats(id: string, arms: readonly string[]): Promise<StoredStats> {
    const pipe = this.redis.pipeline();
    pipe.hgetall(`${this.#p}:stats:${id}`);
    for (const arm of arms) pipe.pfcount(`${this.#p}:units:${id}:${arm}`);
    const res = await this.#run('stats read', () => pipe.exec());
    const h = (res?.[0]?.[1] ?? {}) as Record<string, string>;
    const units = new Map(arms.map((a, i) => [a, Number(res?.[i + 1]?.[1] ?? 0)]));
    const moments = new Map<string, Moments>();
    for (const [field, raw] of Object.entries(h)) {
      const cut = field.lastIndexOf('|');
      const armMetric = field.slice(0, cut);
      const part = field.slice(cut + 1);
      const m = moments.get(armMetric) ?? { n: 0, sum: 0, sumSq: 0 };
      if (part === 'n') m.n = Number(raw);
      else if (part === 'sum') m.sum = Number(raw);
      else if (part === 'sq') m.sumSq = Number(raw);
      moments.set(armMetric, m);
    }
    return { units, moments };
  }
}

function parseRecord(id: string, h: Record<string, string>): ExperimentRecord | undefined {
  if (!h['spec'] || !h['state']) return undefined;
  const state = h['state'] as ExperimentStateName;
  return {
    id,
    spec: JSON.parse(h['spec']) as ExperimentSpec,
    state,
    createdAt: Number(h['created_at']),
    ...(h['stopped_at'] ? { stoppedAt: Number(h['stopped_at']) } : {}),
    ...(h['stop_reason'] ? { stopReason: h['stop_reason'] } : {}),
    ...(h['stage'] ? { stage: Number(h['stage']) } : {}),
    ...(h['stage_started_at'] ? { stageStartedAt: Number(h['stage_started_at']) } : {}),
    ...(h['evaluation'] ? { evaluation: h['evaluation'] } : {}),
    ...(h['decision'] ? { decision: h['decision'] } : {}),
  };
}
