/**
 * The feature registry: each feature set's names, types, descriptions, fixed order and
 * version, defined once. The featurizer writes values under these names, the trainer builds
 * matrices in this order, inference validates requests and feeds ONNX inputs in this order.
 *
 * ```ts
 * import { featureRegistry, featureNames, toFeatureVector } from '@omen/features';
 * const set = featureRegistry.get('jit_change_metrics', 1);
 * const x = toFeatureVector(set, row.values); // Float32Array in featureNames(set) order
 * ```
 */
export {
  FeatureRegistry,
  featureRegistry,
  featureSetId,
  featureNames,
  featureSetFingerprint,
  checkFeatureSet,
  validateFeatureValues,
  toFeatureVector,
  fromFeatureVector,
} from './registry.ts';
export type { FeatureProblem, ValidateOptions, VectorOptions } from './registry.ts';
export { jitChangeMetricsV1, codeMetricsV1, codeFileMetricsV1, securityRuleIds, securityFeatureName } from './sets.ts';
export type { SecurityRuleId } from './sets.ts';
export type { FeatureDefinition, FeatureScope, FeatureSet, FeatureType } from './types.ts';
export { ONLINE_FEATURES_PREFIX, onlineFeaturesKey, repoHashTag } from './online.ts';
export type { OnlineFeatures } from './online.ts';
