// The one way services and tools make a Redis client: one server or a Redis Cluster, chosen by
// REDIS_URL's form (@omen/config's redisUrl), with a guard that refuses any multi-key command or
// transaction whose keys are not all in one Cluster slot — on a single server too, where Redis
// itself would accept it, so a key that lost its `{repository}` hash tag fails every test, not
// only the ones that run on a cluster.
import { Cluster, Redis, type ChainableCommander, type ClusterOptions } from 'ioredis';
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
    super(
      `${what} touches keys in different Redis Cluster slots (CROSSSLOT on a cluster): ${keys.join(', ')}; give them one hash tag {...}`,
    );
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
  readonly promise: Promise<unknown>;
  getKeys(): (string | Buffer)[];
  reject(err: Error): void;
}

type SendCommand = (command: GuardedCommand, stream?: unknown, node?: unknown) => unknown;

function commandWhat(command: GuardedCommand): string {
  return command.name === 'evalsha' || command.name === 'eval' ? 'a Lua script' : command.name.toUpperCase();
}

/** Throws CrossSlotError when a queued command, or the MULTI…EXEC among them, spans slots. */
function checkQueue(queue: readonly GuardedCommand[]): void {
  let inMulti = false;
  const txKeys: string[] = [];
  for (const command of queue) {
    if (command.name === 'multi') inMulti = true;
    else if (command.name === 'exec' || command.name === 'discard') inMulti = false;
    else {
      const keys = command.getKeys().map(String);
      if (keys.length > 1) assertOneSlot(commandWhat(command), keys);
      if (inMulti) txKeys.push(...keys);
    }
  }
  if (txKeys.length > 1) assertOneSlot('a MULTI transaction', [...new Set(txKeys)]);
}

type Exec = (...args: unknown[]) => Promise<unknown>;

function slotProblem(queue: readonly GuardedCommand[]): CrossSlotError | null {
  try {
    checkQueue(queue);
    return null;
  } catch (err) {
    if (err instanceof CrossSlotError) return err;
    throw err;
  }
}

function guardPipeline<P extends ChainableCommander>(pipeline: P): P {
  // ioredis keeps a pipeline's commands in `_queue` until exec (a private field of the pinned
  // 5.x; the unit tests fail if it moves). Checked there, a refused pipeline sends nothing:
  // refusing single commands as they are queued would leave the others waiting on a write that
  // never comes, or replies matched to the wrong commands.
  const target = pipeline as unknown as { exec: Exec; _queue?: GuardedCommand[] };
  const exec = target.exec.bind(pipeline);
  target.exec = (...args: unknown[]) => {
    const refused = slotProblem(target._queue ?? []);
    return refused ? Promise.reject(refused) : exec(...args);
  };
  return pipeline;
}

/**
 * The guard: a command whose keys are in two slots, or a pipeline or MULTI…EXEC transaction
 * holding one or touching two slots between its commands, is refused with CrossSlotError
 * before anything of it is written. Single commands are checked in `sendCommand` (every
 * command passes there), pipelines and transactions at `exec`. Auto-pipelined commands go
 * through an internal pipeline unchecked: only single-key commands are auto-pipelined here.
 */
export function guardSlots<T extends RedisClient>(client: T): T {
  const target = client as unknown as {
    sendCommand: SendCommand;
    pipeline: (...a: unknown[]) => ChainableCommander;
    multi: (...a: unknown[]) => ChainableCommander;
  };
  const send = target.sendCommand.bind(client);
  target.sendCommand = (command, stream, node) => {
    const inPipeline =
      typeof stream === 'object' && stream !== null && (stream as { isPipeline?: boolean }).isPipeline === true;
    if (!inPipeline) {
      const keys = command.getKeys().map(String);
      try {
        if (keys.length > 1) assertOneSlot(commandWhat(command), keys);
      } catch (err) {
        command.reject(err as Error);
        // What sendCommand answers: scripts (ioredis's Script.execute) return it to their caller.
        return command.promise;
      }
    }
    return send(command, stream, node);
  };
  const pipeline = target.pipeline.bind(client);
  const multi = target.multi.bind(client);
  target.pipeline = (...args: unknown[]) => guardPipeline(pipeline(...args));
  target.multi = (...args: unknown[]) => {
    const made = multi(...args);
    // multi({ pipeline: false }) answers a promise (MULTI sent at once), not a pipeline.
    return typeof (made as { exec?: unknown }).exec === 'function' ? guardPipeline(made) : made;
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
  if (!address)
    throw new InvalidArgumentError(
      `not a Redis address: ${maskUrlPassword(url)} (redis://host:port or redis-cluster://host:port,host:port)`,
      'REDIS_URL',
    );
  const { lazyConnect, enableOfflineQueue, enableAutoPipelining, ...perNode } = options;
  const common = {
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
  };
  if (address.kind === 'single') return guardSlots(new Redis(address.url, { ...common, ...perNode }));
  const { retryStrategy, ...nodeOptions } = perNode;
  const clusterOptions: ClusterOptions = {
    ...common,
    // ioredis sends auto-pipelined commands as pipelines, and a pipeline answered MOVED after a
    // failover surfaces the MOVED instead of following it (seen in ingest's dedup test right
    // after a failover): on a cluster every command goes alone and follows redirections.
    enableAutoPipelining: false,
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
  const cluster = new Cluster(
    address.nodes.map((n) => ({ host: n.host, port: n.port })),
    clusterOptions,
  );
  cluster.connect = settlingConnect(cluster);
  return guardSlots(cluster);
}

/**
 * Cluster.connect that always settles. ioredis 5's never does when its ready check (CLUSTER INFO,
 * under the client's commandTimeout) fails: it reconnects on its own and resolves only that new
 * attempt's promise, and a second connect() meanwhile is refused ("already connecting"). A
 * service waiting on it stayed NOT_SERVING for good, which the cluster fault test met on a loaded
 * machine (ab-router's 500 ms timeout). This one resolves on the next 'ready' and rejects on
 * 'close' or 'end' (the caller's retry then waits for the attempt under way).
 */
function settlingConnect(cluster: Cluster): () => Promise<void> {
  const connect = cluster.connect.bind(cluster);
  return () =>
    new Promise<void>((resolve, reject) => {
      if (cluster.status === 'ready') return resolve();
      const done = (err?: Error): void => {
        cluster.off('ready', onReady);
        cluster.off('close', onClose);
        cluster.off('end', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onClose = () => done(new Error('Redis Cluster connection closed while connecting'));
      const onEnd = () => done(new Error('Redis Cluster connection ended'));
      cluster.once('ready', onReady);
      cluster.once('close', onClose);
      cluster.once('end', onEnd);
      if (cluster.status === 'connecting' || cluster.status === 'connect') return;
      connect().catch((err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
    });
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
