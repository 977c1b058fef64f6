// Original file: protos/omen/featurizer/v1/featurizer.proto

import type { FileMetrics as _omen_featurizer_v1_FileMetrics, FileMetrics__Output as _omen_featurizer_v1_FileMetrics__Output } from '../../../omen/featurizer/v1/FileMetrics.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { FeatureSource as _omen_featurizer_v1_FeatureSource, FeatureSource__Output as _omen_featurizer_v1_FeatureSource__Output } from '../../../omen/featurizer/v1/FeatureSource.ts';

export interface GetFeaturesResponse {
  'repo_id'?: (string);
  'sha'?: (string);
  'feature_set'?: (string);
  'feature_set_version'?: (number);
  /**
   * Feature name -> value; a feature that could not be computed is absent.
   */
  'values'?: ({[key: string]: number | string});
  'file_metrics'?: (_omen_featurizer_v1_FileMetrics)[];
  'computed_at'?: (_google_protobuf_Timestamp | null);
  'source'?: (_omen_featurizer_v1_FeatureSource);
}

export interface GetFeaturesResponse__Output {
  'repo_id': (string);
  'sha': (string);
  'feature_set': (string);
  'feature_set_version': (number);
  /**
   * Feature name -> value; a feature that could not be computed is absent.
   */
  'values': ({[key: string]: number});
  'file_metrics': (_omen_featurizer_v1_FileMetrics__Output)[];
  'computed_at': (_google_protobuf_Timestamp__Output | null);
  'source': (_omen_featurizer_v1_FeatureSource__Output);
}
