// Original file: protos/omen/featurizer/v1/featurizer.proto

export const FeatureSource = {
  FEATURE_SOURCE_UNSPECIFIED: 'FEATURE_SOURCE_UNSPECIFIED',
  /**
   * Read from the online store (Redis).
   */
  FEATURE_SOURCE_ONLINE: 'FEATURE_SOURCE_ONLINE',
  /**
   * Read from the offline store (ClickHouse).
   */
  FEATURE_SOURCE_OFFLINE: 'FEATURE_SOURCE_OFFLINE',
} as const;

export type FeatureSource =
  | 'FEATURE_SOURCE_UNSPECIFIED'
  | 0
  /**
   * Read from the online store (Redis).
   */
  | 'FEATURE_SOURCE_ONLINE'
  | 1
  /**
   * Read from the offline store (ClickHouse).
   */
  | 'FEATURE_SOURCE_OFFLINE'
  | 2

export type FeatureSource__Output = typeof FeatureSource[keyof typeof FeatureSource]
