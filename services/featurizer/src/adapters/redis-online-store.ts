// The online store: each commit's features where inference reads them at request time.
//
// Layout: one hash per commit, `<prefix>:{<repo_id>}:<sha>`, one field per feature set,
// `<feature_set>@v<version>` -> JSON { values, file_metrics, computed_at, event_time }, with a
// TTL refreshed on every write (commits are scored soon after they land; older ones fall back
// to ClickHouse). Writes are HSETs of deterministic values: replaying them changes nothing.

import { pipelineBySlot, type RedisClient } from '@omen/service';
import type { FeatureSet } from '@omen/features';
import { featureSetId, ONLINE_FEATURES_PREFIX, onlineFeaturesKey, type OnlineFeatures } from '@omen/features';

export type { OnlineFeatures };
import type { FeatureRow } from '../domain/rows.ts';

export interface RedisOnlineStoreOptions {
  /** @default 'omen:features' */
  prefix?: string;
  /**
   * Seconds a commit's features stay online after their last write.
   * @default 2_592_000 (30 days)
   */
  ttlSeconds?: number;
}

export class RedisOnlineStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #ttl: number;

  constructor(redis: RedisClient, options: RedisOnlineStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? ONLINE_FEATURES_PREFIX;
    this.#ttl = options.ttlSeconds ?? 2_592_000;
  }

  key(repoId: string, sha: string): string {
    return onlineFeaturesKey(repoId, sha, this.#prefix);
  }

  async write(rows: readonly FeatureRow[]): Promise<void> {
    if (rows.length === 0) return;
    const replies = await pipelineBySlot(
      this.#redis,
      rows,
      (r) => this.key(r.repo_id, r.sha),
      (pipeline, r) => {
        const key = this.key(r.repo_id, r.sha);
        const value: OnlineFeatures = {
          values: r.values,
          file_metrics: r.file_metrics,
          computed_at: r.computed_at,
          event_time: r.event_time,
        };
        pipeline.hset(
          key,
          featureSetId({ name: r.feature_set, version: r.feature_set_version }),
          JSON.stringify(value),
        );
        pipeline.expire(key, this.#ttl);
      },
    );
    const failed = replies.flat().find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  async read(
    repoId: string,
    sha: string,
    set: Pick<FeatureSet, 'name' | 'version'>,
  ): Promise<OnlineFeatures | undefined> {
    const raw = await this.#redis.hget(this.key(repoId, sha), featureSetId(set));
    return raw === null ? undefined : (JSON.parse(raw) as OnlineFeatures);
  }
}
