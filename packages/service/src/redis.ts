// The one way services and tools make a Redis client: one server or a Redis Cluster, chosen by
// REDIS_URL's form (@omen/config's redisUrl), with a guard that refuses any multi-key command or
// transaction whose keys are not all in one Cluster slot — on a single server too, where Redis
// itself would accept it, so a key that lost its `{repository}` hash tag fails every test, not
// only the ones that run on a cluster.
import { Cluster, Redis, type ChainableCommander, type ClusterOptions, type RedisOptions } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { InternalError, InvalidArgumentError } from '@omen/errors';
import { maskUrlPassword, parseRedisAddress } from '@omen/config';

/** A client of one Redis server or of a Redis Cluster: both speak the same commands. */
export type RedisClient = Redis | Cluster;

/** The options every service sets; the rest keep ioredis's defaults. */
export interface RedisClientOptions {
  /** Connect on the first command or `connect()`. @default false */
  readonly lazyConnect?: boolean;
  /** Fail a command that waits longer (ms). @default none */
  readonly commandTimeout?: number;
  /** @default 20 (ioredis) */
  readonly maxRetriesPerRequest?: number | null;
  /** Queue commands while disconnected. @default true (ioredis) */
  readonly enableOfflineQueue?: boolean;
  /** @default false */
  readonly enableAutoPipelining?: boolean;
  /** @default 10000 (ioredis) */
  readonly connectTimeout?: number;
  /** Reconnect delay per attempt, null to give up. @default ioredis's */
  readonly retryStrategy?: (times: number) => number | null;
}

/** A multi-key command or transaction whose keys are in more than one Redis Cluster slot. */
export class CrossSlotError extends InternalError {
  readonly keys: readonly string[];
  constructor(what: string, keys: readonly string[]) {
    super(`${what} touches keys in different Redis Cluster slots (CROSSSLOT on a cluster): ${keys.join(', ')}; give them one hash tag {...}`);
    this.keys = keys;
  }
}

/**
 * The slot all `keys` share, or throws CrossSlotError. Keys follow Redis's rule: the part inside
 * the first `{...}` (when not empty) is what is hashed.
 */
export function assertOneSlot(what: string, keys: readonly string[]): number {
  const slot = calculateSlot.generateMulti([...keys]);
  if (slot < 0) throw new CrossSlotError(what, keys);
  return slot;
}

export function keySlot(key: string): number {
  return calculateSlot(key);
}

interface GuardedCommand {
  readonly name: string;
  getKeys(): (string | Buffer)[];
  reject(err: Error): void;
}

type SendCommand = (command: GuardedCommand, stream?: unknown, node?: unknown) => unknown;

/**
 * Wraps `sendCommand`, through which ioredis sends every command, pipelines and transactions
 * included: a command with keys in two slots, or a MULTI…EXEC whose commands together touch
 * two slots, is rejected with CrossSlotError before it is written. A rejected transaction fails
 * whole (every later command of it and its EXEC), so nothing of it runs.
 */
export function guardSlots<T extends RedisClient>(client: T): T {
  const target = client as unknown as { sendCommand: SendCommand };
  const original = target.sendCommand.bind(client) as SendCommand;
  // Per pipeline (its `stream`): the slot of the open MULTI, or the error that poisoned it.
  const transactions = new WeakMap<object, { slot: number | null; keys: string[]; failed: Error | null }>();
  target.sendCommand = (command, stream, node) => {
    const keys = command.getKeys().map(String);
    const tx = typeof stream === 'object' && stream !== null ? transactions.get(stream) : undefined;
    try {
      if (command.name === 'multi' && typeof stream === 'object' && stream !== null) {
        transactions.set(stream, { slot: null, keys: [], failed: null });
      } else if (tx) {
        if (tx.failed) throw tx.failed;
        if (command.name === 'exec' || command.name === 'discard') transactions.delete(stream as object);
        else if (keys.length > 0) {
          tx.keys.push(...keys);
          const slot = assertOneSlot(`a MULTI transaction (${command.name})`, keys);
          if (tx.slot !== null && tx.slot !== slot) throw new CrossSlotError('a MULTI transaction', [...new Set(tx.keys)]);
          tx.slot = slot;
        }
      } else if (keys.length > 1) {
        assertOneSlot(command.name === 'evalsha' || command.name === 'eval' ? 'a Lua script' : `${command.name.toUpperCase()}`, keys);
      }
    } catch (err) {
      if (tx) tx.failed = err as Error;
      command.reject(err as Error);
      return undefined;
    }
    return original(command, stream, node);
  };
  return client;
}

/**
 * A client for REDIS_URL: `redis://…` makes an ioredis `Redis`, `redis-cluster://h:p,…` an
 * ioredis `Cluster` over those seed nodes (TLS with `rediss`), both slot-guarded.
 * @throws InvalidArgumentError when the URL is neither form
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const address = parseRedisAddress(url);
  if (!address) throw new InvalidArgumentError(`not a Redis address: ${maskUrlPassword(url)} (redis://host:port or redis-cluster://host:port,host:port)`, 'REDIS_URL');
  const { lazyConnect, enableOfflineQueue, enableAutoPipelining, ...perNode } = options;
  const common = {
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
  };
  if (address.kind === 'single') return guardSlots(new Redis(address.url, { ...common, ...perNode } as RedisOptions));
  const { retryStrategy, ...nodeOptions } = perNode;
  const clusterOptions: ClusterOptions = {
    ...common,
    redisOptions: {
      ...nodeOptions,
      ...(address.username ? { username: address.username } : {}),
      ...(address.password ? { password: address.password } : {}),
      ...(address.tls ? { tls: {} } : {}),
    },
    // While a replica takes over a failed master (cluster-node-timeout plus an election), the
    // slots answer CLUSTERDOWN or the old master's socket is dead: wait and re-read the slot
    // map instead of failing the command at once.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: 2000,
    ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
  };
  return guardSlots(new Cluster(address.nodes.map((n) => ({ host: n.host, port: n.port })), clusterOptions));
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * A pipeline per Cluster slot (one pipeline on a single server): a Cluster client refuses a
 * pipeline whose keys live on different nodes, and a batch (features of many repositories, an
 * inference batch) spans them. `add` queues the commands of one item on the pipeline it is
 * given; the answer is each item's replies, in the order of `items`.
 */
export async function pipelineBySlot<T>(
  client: RedisClient,
  items: readonly T[],
  keyOf: (item: T) => string,
  add: (pipeline: ChainableCommander, item: T) => void,
): Promise<[Error | null, unknown][][]> {
  const groups = new Map<number, number[]>();
  items.forEach((item, i) => {
    const slot = isCluster(client) ? keySlot(keyOf(item)) : 0;
    const list = groups.get(slot);
    if (list) list.push(i);
    else groups.set(slot, [i]);
  });
  const out: [Error | null, unknown][][] = new Array<[Error | null, unknown][]>(items.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const pipeline = client.pipeline();
      const counts = indexes.map((i) => {
        const before = pipeline.length;
        add(pipeline, items[i] as T);
        return pipeline.length - before;
      });
      const replies = (await pipeline.exec()) ?? [];
      let at = 0;
      indexes.forEach((i, j) => {
        const n = counts[j] ?? 0;
        out[i] = replies.slice(at, at + n);
        at += n;
      });
    }),
  );
  return out;
}
