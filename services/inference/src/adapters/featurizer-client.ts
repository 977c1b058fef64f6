// Features for a commit the online store does not have: the featurizer's GetFeatures, which
// reads its online store and falls back to the offline store (ClickHouse). Used only after a
// Redis miss, with the caller's remaining deadline, so a commit scored before its features
// reached Redis (or after their TTL) is still served.
import * as grpc from '@grpc/grpc-js';
import { UnavailableError } from '@omen/errors';
import { loadGrpcObject, type featurizerV1 } from '@omen/contracts';
import { featureSetId, type FeatureSet } from '@omen/features';
import type { FeatureFallback } from '../domain/prediction.ts';
import type { StoredFeatureSet } from './redis-store.ts';

type GetFeatures = (
  req: featurizerV1.GetFeaturesRequest,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res?: featurizerV1.GetFeaturesResponse__Output) => void,
) => grpc.ClientUnaryCall;

export class FeaturizerFallback implements FeatureFallback {
  readonly #client: grpc.Client;
  readonly #timeoutMs: number;
  readonly #bearer: string | undefined;

  /** `token`: only a featurizer started with GRPC_REQUIRE_AUTH=true needs it. */
  constructor(address: string, timeoutMs: number, token?: { reveal(): string }) {
    const Ctor = loadGrpcObject('featurizer').omen.featurizer.v1.Featurizer;
    this.#client = new Ctor(address, grpc.credentials.createInsecure());
    this.#timeoutMs = timeoutMs;
    this.#bearer = token === undefined ? undefined : `Bearer ${token.reveal()}`;
  }

  fetch(repoId: string, sha: string, set: FeatureSet, signal?: AbortSignal): Promise<StoredFeatureSet | undefined> {
    const call = (this.#client as unknown as { GetFeatures: GetFeatures }).GetFeatures.bind(this.#client);
    const metadata = new grpc.Metadata();
    if (this.#bearer) metadata.set('authorization', this.#bearer);
    return new Promise((resolve, reject) => {
      const c = call(
        { repo_id: repoId, sha, feature_set: set.name, feature_set_version: set.version, include_file_metrics: true },
        metadata,
        { deadline: Date.now() + this.#timeoutMs },
        (err, res) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) {
            if (err.code === grpc.status.NOT_FOUND) resolve(undefined);
            else
              reject(
                new UnavailableError(
                  `the featurizer could not provide ${featureSetId(set)} for ${repoId}@${sha}: ${err.details || grpc.status[err.code]}`,
                  { cause: err },
                ),
              );
            return;
          }
          if (!res) return resolve(undefined);
          resolve({
            values: res.values,
            file_metrics: res.file_metrics.map((f) => ({ path: f.path, values: f.values })),
            computed_at: Number(res.computed_at?.seconds ?? 0) * 1000,
            event_time: 0,
          });
        },
      );
      const onAbort = () => c.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.#client.close();
  }
}
