// omen.featurizer.v1.Featurizer: a commit's features from the online store, the offline store
// as fallback; the registry's feature sets; the consumer's stopped partitions, and the admin
// decision to go on past one (AcceptOffsetGap needs the admin role: @omen/auth's METHOD_ROLES).
import { InvalidArgumentError, NotFoundError, UnavailableError, quote } from '@omen/errors';
import type { featurizerV1 } from '@omen/contracts';
import { featureRegistry, jitChangeMetricsV1 } from '@omen/features';
import type { FeatureSet } from '@omen/features';
import { unary } from '@omen/grpc';
import { checkRepoId, checkSha } from '@omen/ids';
import type { OffsetGap } from '@omen/kafka';
import type { Logger } from '@omen/telemetry';

/** The commits consumer's gaps; undefined until the consumer runs (the server listens first). */
export interface GapControl {
  stoppedPartitions(): OffsetGap[];
  acceptGap(topic: string, partition: number, expected: string): Promise<OffsetGap>;
}

export interface FeatureLookup {
  online(
    repoId: string,
    sha: string,
    set: FeatureSet,
  ): Promise<
    | {
        values: Record<string, number>;
        file_metrics: { path: string; values: Record<string, number> }[] | null;
        computed_at: number;
      }
    | undefined
  >;
  offline(
    repoId: string,
    sha: string,
    set: FeatureSet,
  ): Promise<
    | {
        values: Record<string, number>;
        fileMetrics: { path: string; values: Record<string, number> }[];
        computedAt: number;
      }
    | undefined
  >;
}

function timestamp(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

function valueType(f: FeatureSet['features'][number]): featurizerV1.FeatureValueType {
  if (f.type === 'boolean') return 'FEATURE_VALUE_TYPE_BOOLEAN';
  if (f.type === 'integer' && f.min !== undefined && f.min >= 0) return 'FEATURE_VALUE_TYPE_COUNT';
  return 'FEATURE_VALUE_TYPE_NUMERIC';
}

function gapMessage(gap: OffsetGap): featurizerV1.OffsetGap {
  return {
    group: gap.group,
    topic: gap.topic,
    partition: gap.partition,
    expected_offset: gap.expected,
    log_start: gap.logStart,
    log_end: gap.logEnd,
    kind: gap.kind,
    skipped: String(gap.skipped),
    reason: gap.reason,
  };
}

export function featurizerHandlers(
  lookup: FeatureLookup,
  gaps: { control: () => GapControl | undefined; logger: Logger },
): featurizerV1.FeaturizerHandlers {
  const control = (): GapControl => {
    const c = gaps.control();
    if (!c) throw new UnavailableError('the featurizer consumer is not running yet');
    return c;
  };
  return {
    ListOffsetGaps: unary<featurizerV1.ListOffsetGapsRequest__Output, featurizerV1.ListOffsetGapsResponse>(() => ({
      gaps: control().stoppedPartitions().map(gapMessage),
    })),
    AcceptOffsetGap: unary<featurizerV1.AcceptOffsetGapRequest__Output, featurizerV1.AcceptOffsetGapResponse>(
      async (req) => {
        if (!req.topic) throw new InvalidArgumentError('topic is required', 'topic');
        if (!/^\d+$/.test(req.expected_offset))
          throw new InvalidArgumentError(
            'expected_offset must be the offset the partition stopped at',
            'expected_offset',
          );
        if (!req.reason.trim())
          throw new InvalidArgumentError('reason is required: it is logged with the decision', 'reason');
        const gap = await control().acceptGap(req.topic, req.partition, req.expected_offset);
        // The consumer logs the range; this line ties it to the operator's stated reason.
        gaps.logger.warn(
          {
            topic: gap.topic,
            partition: gap.partition,
            expected: gap.expected,
            resumeAt: gap.resumeAt,
            skipped: gap.skipped,
            reason: req.reason,
          },
          'AcceptOffsetGap: an operator accepted a gap',
        );
        return { gap: gapMessage(gap) };
      },
    ),
    GetFeatures: unary<featurizerV1.GetFeaturesRequest__Output, featurizerV1.GetFeaturesResponse>(async (req) => {
      checkRepoId(req.repo_id);
      checkSha(req.sha);
      const set = featureRegistry.get(
        req.feature_set || jitChangeMetricsV1.name,
        req.feature_set_version > 0 ? req.feature_set_version : undefined,
      );
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
      if (!offline)
        throw new NotFoundError(
          `no ${set.name}@v${set.version} features for ${quote(`${req.repo_id}@${req.sha}`)}`,
          `features/${req.repo_id}/${req.sha}`,
        );
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
        features: s.features.map((f) => ({
          name: f.name,
          description: f.description,
          value_type: valueType(f),
          entity: s.scope,
        })),
      })),
    })),
  };
}
