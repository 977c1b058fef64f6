import { randomBytes } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@omen/service';
import { UnavailableError } from '@omen/errors';
import { turnGate } from './turn.ts';

/**
 * What a claim found: the key is now ours, or someone already published it, or is doing so;
 * `mine` when the pending claim is this process's own: an earlier attempt whose release failed
 * (Redis failing over) or a concurrent request of this process.
 */
export type ClaimState = 'claimed' | 'done' | 'pending' | 'mine';

export interface DedupStore {
  /** Claims each key not yet seen, atomically per key. */
  claim(keys: readonly string[]): Promise<ClaimState[]>;
  /** Marks claimed keys published: they stay "done" for the dedup window. */
  confirm(keys: readonly string[]): Promise<void>;
  /** Gives claimed keys back after a failed publish, so a redelivery publishes them. */
  release(keys: readonly string[]): Promise<void>;
  /** Resolves once the store answers (watchDependency's probe). */
  ping(): Promise<unknown>;
  close(): Promise<void>;
}

export interface RedisDedupOptions {
  url: string;
  /** How long a published event id is remembered. @default 7 days */
  windowMs?: number;
  /**
   * How long a claim lives without being confirmed or released: a crash between claim and
   * publish frees the key after this, so a redelivery is not refused forever. Longer than the
   * slowest publish (enrichment + Kafka ack). @default 120000
   */
  pendingTtlMs?: number;
  /**
   * Prepended to every key, so deployments (or tests) sharing one Redis keep separate windows.
   * @default '' (keys are `omen:ingest:...` as made by dedupKeys)
   */
  namespace?: string;
  /**
   * Longest wait for one Redis command. A stalled Redis (SIGSTOP, swap) keeps the connection
   * open, so without it a webhook would wait until Redis resumes. @default 1000
   */
  commandTimeoutMs?: number;
}

// Deletes the key only while it still holds this process's claim token, so releasing a claim
// that expired and was taken by another request leaves that request's claim alone.
const releaseScript =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * The dedup window in Redis. A key is claimed with `SET NX PX` (value `pending:<token>`),
 * confirmed as `done` after Kafka acknowledged, or released after a failure. Two deliveries of
 * one event can therefore not both publish it, and a failed one does not block the retry.
 * The claims and confirmations of one event-loop turn (turn.ts) leave as one explicit pipeline:
 * one write, one round trip and one promise for every request of the turn, where auto-pipelining
 * cost a wrapper promise and callback per command (issue 16's profile). On a Redis Cluster every
 * command goes alone (see createRedisClient).
 */
export class RedisDedup implements DedupStore {
  readonly #redis: RedisClient;
  readonly #windowMs: number;
  readonly #pendingTtlMs: number;
  readonly #token = `pending:${randomBytes(8).toString('hex')}`;
  readonly #namespace: string;
  readonly #turn = turnGate();
  /** SET commands of this turn not yet written, and who waits for which of their answers. */
  #batch: SetBatch | undefined;

  private constructor(redis: RedisClient, options: RedisDedupOptions) {
    this.#redis = redis;
    this.#windowMs = options.windowMs ?? 7 * 24 * 3600 * 1000;
    this.#pendingTtlMs = options.pendingTtlMs ?? 120_000;
    this.#namespace = options.namespace ?? '';
    this.#redis.defineCommand('omenReleaseClaim', { numberOfKeys: 1, lua: releaseScript });
  }

  /** Connects and waits until Redis answers; fails with UNAVAILABLE naming the URL otherwise. */
  static async connect(options: RedisDedupOptions): Promise<RedisDedup> {
    const redis = createRedisClient(options.url, {
      lazyConnect: true,
      enableAutoPipelining: true,
      // Fail commands at once while disconnected instead of queueing them: the caller answers
      // 503 and the SCM redelivers, rather than a webhook hanging on a dead Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      connectTimeout: 5000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    redis.on('error', () => undefined); // reported per command; reconnects on its own
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw new UnavailableError(`Redis at ${redactUrl(options.url)} is unreachable`, {
        cause: err,
        retryAfterMs: 5000,
      });
    }
    return new RedisDedup(redis, options);
  }

  async claim(keys: readonly string[]): Promise<ClaimState[]> {
    if (keys.length === 0) return [];
    const pendingTtl = String(this.#pendingTtlMs);
    try {
      // SET NX GET (Redis >= 7.0) claims and reads the previous value in one command.
      const results = await this.#guard('claim', () =>
        this.#sets(
          keys.map((k) => [this.#namespace + k, this.#token, 'PX', pendingTtl, 'NX', 'GET']),
          true,
        ),
      );
      return results.map((previous): ClaimState =>
        previous === null ? 'claimed' : previous === 'done' ? 'done' : previous === this.#token ? 'mine' : 'pending',
      );
    } catch (err) {
      // A timed-out SET is still in the socket: a Redis that resumes runs it, and the key would
      // stay "pending" for pendingTtlMs, refusing the SCM's redelivery that long. The release
      // goes down the same connection after it, so Redis runs it right after the claim. (The
      // claim token is per process: a key another request of this process holds is released
      // too, and at worst that event is published twice, which the idempotent sinks absorb.)
      this.release(keys).catch(() => undefined);
      throw err;
    }
  }

  async confirm(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const window = String(this.#windowMs);
    await this.#guard('confirm', () =>
      this.#sets(
        keys.map((k) => [this.#namespace + k, 'done', 'PX', window]),
        false,
      ),
    );
  }

  async release(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const redis = this.#redis as RedisClient & { omenReleaseClaim(key: string, token: string): Promise<number> };
    await this.#turn();
    await this.#guard('release', () =>
      Promise.all(keys.map((k) => redis.omenReleaseClaim(this.#namespace + k, this.#token))),
    );
  }

  ping(): Promise<unknown> {
    return this.#redis.ping();
  }

  async close(): Promise<void> {
    // Lingering confirmations go out before QUIT, down the same connection.
    if (this.#batch) this.#flush(this.#batch);
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /**
   * Runs `SET <args>` for each entry in the one pipeline of a turn; resolves with the replies in
   * order, or rejects with the first command's error. Urgent commands (claims: a request waits
   * for them) go at the turn's gate (turn.ts). The others (confirmations, which nobody waits
   * for) ride along with the next claims, or leave after `confirmLingerMs` when none come: under
   * load that halves the writes to Redis, and a claim stays pending a few ms longer at most.
   */
  #sets(commands: string[][], urgent: boolean): Promise<unknown[]> {
    if (this.#redis.isCluster)
      return this.#turn().then(() => Promise.all(commands.map((args) => this.#redis.call('SET', ...args))));
    const batch = (this.#batch ??= { commands: [], waiters: [], atGate: false, timer: undefined });
    if (urgent && !batch.atGate) {
      batch.atGate = true;
      void this.#turn().then(() => this.#flush(batch));
    } else if (!urgent && !batch.atGate && batch.timer === undefined) {
      batch.timer = setTimeout(() => this.#flush(batch), confirmLingerMs);
    }
    const from = batch.commands.length;
    for (const args of commands) batch.commands.push(args);
    const to = batch.commands.length;
    return new Promise((resolve, reject) => batch.waiters.push({ from, to, resolve, reject }));
  }

  #flush(batch: SetBatch): void {
    if (this.#batch !== batch) return;
    this.#batch = undefined;
    clearTimeout(batch.timer);
    this.#execute(batch);
  }

  #execute(batch: SetBatch): void {
    const pipeline = this.#redis.pipeline();
    for (const args of batch.commands) void pipeline.call('SET', ...args);
    pipeline.exec().then(
      (replies) => {
        for (const w of batch.waiters) {
          const mine = (replies ?? []).slice(w.from, w.to);
          const failed = mine.find(([err]) => err);
          if (failed) w.reject(failed[0]);
          else if (mine.length < w.to - w.from) w.reject(new Error('Redis answered fewer replies than commands'));
          else w.resolve(mine.map(([, reply]) => reply));
        }
      },
      (err: unknown) => {
        for (const w of batch.waiters) w.reject(err);
      },
    );
  }

  async #guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new UnavailableError(
        `dedup window unavailable (Redis ${what} failed): ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
          retryAfterMs: 5000,
        },
      );
    }
  }
}

/** Longest wait of a confirmation for claims to ride along with (RedisDedup.#sets). */
const confirmLingerMs = 5;

interface SetBatch {
  commands: string[][];
  /** Written at the gate of the turn (a claim is in it), else by `timer`. */
  atGate: boolean;
  timer: NodeJS.Timeout | undefined;
  waiters: Array<{ from: number; to: number; resolve: (replies: unknown[]) => void; reject: (err: unknown) => void }>;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
