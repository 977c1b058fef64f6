// omen.featurizer.v1.Featurizer: a commit's features from the online store, the offline store
// as fallback; the registry's feature sets.
import { InvalidArgumentError, NotFoundError, quote } from '@omen/errors';
import type { featurizerV1 } from '@omen/contracts';
import { featureRegistry, jitChangeMetricsV1 } from '@omen/features';
import type { FeatureSet } from '@omen/features';
import { unary } from '@omen/grpc';
import { checkRepoId, checkSha } from '@omen/ids';

export interface FeatureLookup {
  online(repoId: string, sha: string, set: FeatureSet): Promise<{ values: Record<string, number>; file_metrics: { path: string; values: Record<string, number> }[] | null; computed_at: number } | undefined>;
  offline(repoId: string, sha: string, set: FeatureSet): Promise<{ values: Record<string, number>; fileMetrics: { path: string; values: Record<string, number> }[]; computedAt: number } | undefined>;
}

function timestamp(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

function valueType(f: FeatureSet['features'][number]): featurizerV1.FeatureValueType {
  if (f.type === 'boolean') return 'FEATURE_VALUE_TYPE_BOOLEAN';
  if (f.type === 'integer' && f.min !== undefined && f.min >= 0) return 'FEATURE_VALUE_TYPE_COUNT';
  return 'FEATURE_VALUE_TYPE_NUMERIC';
}

export function featurizerHandlers(lookup: FeatureLookup): featurizerV1.FeaturizerHandlers {
  return {
    GetFeatures: unary<featurizerV1.GetFeaturesRequest__Output, featurizerV1.GetFeaturesResponse>(async (req) => {
      checkRepoId(req.repo_id);
      checkSha(req.sha);
      const set = featureRegistry.get(req.feature_set || jitChangeMetricsV1.name, req.feature_set_version > 0 ? req.feature_set_version : undefined);
      const online = await lookup.online(req.repo_id, req.sha, set);
      const base = { repo_id: req.repo_id, sha: req.sha, feature_set: set.name, feature_set_version: set.version };
      if (online) {
        return {
          ...base,
          values: online.values,
          file_metrics: req.include_file_metrics ? (online.file_metrics ?? []) : [],
          computed_at: timestamp(online.computed_at),
          source: 'FEATURE_SOURCE_ONLINE',
        };
      }
      const offline = await lookup.offline(req.repo_id, req.sha, set);
      if (!offline) throw new NotFoundError(`no ${set.name}@v${set.version} features for ${quote(`${req.repo_id}@${req.sha}`)}`, `features/${req.repo_id}/${req.sha}`);
      return {
        ...base,
        values: offline.values,
        file_metrics: req.include_file_metrics ? offline.fileMetrics : [],
        computed_at: timestamp(offline.computedAt),
        source: 'FEATURE_SOURCE_OFFLINE',
      };
    }),
    ListFeatureSets: unary<featurizerV1.ListFeatureSetsRequest__Output, featurizerV1.ListFeatureSetsResponse>(() => ({
      feature_sets: featureRegistry.list().map((s) => ({
        name: s.name,
        version: s.version,
        description: s.description,
        features: s.features.map((f) => ({ name: f.name, description: f.description, value_type: valueType(f), entity: s.scope })),
      })),
    })),
  };
}
