// Redis for inference: the online feature store the featurizer writes, and the prediction cache.
//
// Features: the online layout of @omen/features (onlineFeaturesKey), written by the featurizer.
// One HGETALL returns the model's set and the code metrics the quality scores derive from.
//
// Cache: `<cachePrefix>:{<repo_id>}:<sha>:<model>:<version>` → JSON of the computed prediction,
// with a TTL. Keyed by model version, so a promotion never serves the old model's answers, and
// by commit, whose features are immutable once computed. Inline-feature requests are not cached:
// scoring them costs less than the round trip a lookup would add.
//
// The client never queues commands while disconnected and times commands out, so a Redis outage
// turns into UNAVAILABLE at once instead of requests hanging.
import { createRedisClient, pipelineBySlot, type RedisClient } from '@omen/service';
import { UnavailableError } from '@omen/errors';
import { ONLINE_FEATURES_PREFIX, onlineFeaturesKey, repoHashTag, type OnlineFeatures } from '@omen/features';

/** One feature set of a commit as the featurizer stores it online. */
export type StoredFeatureSet = OnlineFeatures;

export interface CommitLookup {
  repoId: string;
  sha: string;
  /** Cache key to read with the features; undefined = no cache lookup. */
  cacheKey?: string | undefined;
}

export interface CommitRecord {
  /** The features hash's key (for NOT_FOUND messages). */
  key: string;
  /** Feature set id (`name@vN`) → stored features; empty when the commit is not in the store. */
  sets: Map<string, StoredFeatureSet>;
  /** The cached prediction's JSON, when a cache key was given and held a value. */
  cached: string | undefined;
}

export interface RedisStoreOptions {
  /** @default 'omen:features' (the featurizer's) */
  featurePrefix?: string;
  /** @default 'omen:predictions' */
  cachePrefix?: string;
  /** Prediction cache TTL, seconds; 0 disables the cache. @default 3600 */
  cacheTtlSeconds?: number;
}

/** The client options that make Redis fail fast. */
export function connectRedis(url: string, commandTimeoutMs: number): RedisClient {
  return createRedisClient(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1000, commandTimeoutMs),
    // Keep reconnecting in the background; requests meanwhile fail fast.
    retryStrategy: (attempt) => Math.min(2000, 50 * 2 ** Math.min(attempt, 6)),
    lazyConnect: true,
  });
}

function unavailable(err: unknown): UnavailableError {
  const message = err instanceof Error ? err.message : String(err);
  return new UnavailableError(`the online store (Redis) is unavailable: ${message}`, {
    cause: err,
    retryAfterMs: 1000,
  });
}

export class RedisStore {
  readonly redis: RedisClient;
  readonly #featurePrefix: string;
  readonly #cachePrefix: string;
  readonly cacheTtlSeconds: number;

  constructor(redis: RedisClient, options: RedisStoreOptions = {}) {
    this.redis = redis;
    this.#featurePrefix = options.featurePrefix ?? ONLINE_FEATURES_PREFIX;
    this.#cachePrefix = options.cachePrefix ?? 'omen:predictions';
    this.cacheTtlSeconds = options.cacheTtlSeconds ?? 3600;
  }

  get cacheEnabled(): boolean {
    return this.cacheTtlSeconds > 0;
  }

  featureKey(repoId: string, sha: string): string {
    return onlineFeaturesKey(repoId, sha, this.#featurePrefix);
  }

  cacheKey(repoId: string, sha: string, model: string, version: string): string {
    return `${this.#cachePrefix}:${repoHashTag(repoId)}:${sha}:${model}:${version}`;
  }

  #checkReady(): void {
    if (this.redis.status !== 'ready') throw unavailable(new Error(`connection is ${this.redis.status}`));
  }

  /** Features (and cached predictions) of many commits in one round trip. */
  async lookup(items: readonly CommitLookup[]): Promise<CommitRecord[]> {
    if (items.length === 0) return [];
    this.#checkReady();
    // The cache key carries the same repository hash tag as the feature key: one slot per item.
    let replies: [Error | null, unknown][][];
    try {
      replies = await pipelineBySlot(
        this.redis,
        items,
        (it) => this.featureKey(it.repoId, it.sha),
        (pipeline, it) => {
          pipeline.hgetall(this.featureKey(it.repoId, it.sha));
          if (it.cacheKey !== undefined) pipeline.get(it.cacheKey);
        },
      );
    } catch (err) {
      throw unavailable(err);
    }
    const out: CommitRecord[] = [];
    for (const [i, it] of items.entries()) {
      const mine = replies[i] ?? [];
      let r = 0;
      const [hashErr, hash] = mine[r++] ?? [new Error('missing reply'), null];
      if (hashErr) throw unavailable(hashErr);
      let cached: string | undefined;
      if (it.cacheKey !== undefined) {
        const [cacheErr, value] = mine[r++] ?? [null, null];
        // A cache read failing alone is not worth failing the request over.
        cached = cacheErr || typeof value !== 'string' ? undefined : value;
      }
      const sets = new Map<string, StoredFeatureSet>();
      for (const [field, json] of Object.entries((hash ?? {}) as Record<string, string>)) {
        try {
          sets.set(field, JSON.parse(json) as StoredFeatureSet);
        } catch {
          // An unreadable field is treated as absent; the set the model needs is checked by the caller.
        }
      }
      out.push({ key: this.featureKey(it.repoId, it.sha), sets, cached });
    }
    return out;
  }

  /** Stores computed predictions with the TTL; best effort (the caller logs a failure). */
  async cachePut(entries: readonly { key: string; value: string }[]): Promise<void> {
    if (entries.length === 0 || !this.cacheEnabled) return;
    this.#checkReady();
    try {
      const replies = await pipelineBySlot(
        this.redis,
        entries,
        (e) => e.key,
        (pipeline, e) => pipeline.set(e.key, e.value, 'EX', this.cacheTtlSeconds),
      );
      const failed = replies.flat().find(([err]) => err);
      if (failed?.[0]) throw failed[0];
    } catch (err) {
      throw unavailable(err);
    }
  }
}
