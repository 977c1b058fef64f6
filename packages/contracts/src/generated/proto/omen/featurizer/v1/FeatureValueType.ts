// Original file: protos/omen/featurizer/v1/featurizer.proto

export const FeatureValueType = {
  FEATURE_VALUE_TYPE_UNSPECIFIED: 'FEATURE_VALUE_TYPE_UNSPECIFIED',
  FEATURE_VALUE_TYPE_NUMERIC: 'FEATURE_VALUE_TYPE_NUMERIC',
  FEATURE_VALUE_TYPE_COUNT: 'FEATURE_VALUE_TYPE_COUNT',
  /**
   * 0 or 1.
   */
  FEATURE_VALUE_TYPE_BOOLEAN: 'FEATURE_VALUE_TYPE_BOOLEAN',
} as const;

export type FeatureValueType =
  | 'FEATURE_VALUE_TYPE_UNSPECIFIED'
  | 0
  | 'FEATURE_VALUE_TYPE_NUMERIC'
  | 1
  | 'FEATURE_VALUE_TYPE_COUNT'
  | 2
  /**
   * 0 or 1.
   */
  | 'FEATURE_VALUE_TYPE_BOOLEAN'
  | 3

export type FeatureValueType__Output = typeof FeatureValueType[keyof typeof FeatureValueType]
