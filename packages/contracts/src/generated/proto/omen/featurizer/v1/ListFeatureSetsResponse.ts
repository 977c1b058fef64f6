// Original file: protos/omen/featurizer/v1/featurizer.proto

import type { FeatureSet as _omen_featurizer_v1_FeatureSet, FeatureSet__Output as _omen_featurizer_v1_FeatureSet__Output } from '../../../omen/featurizer/v1/FeatureSet.ts';

export interface ListFeatureSetsResponse {
  'feature_sets'?: (_omen_featurizer_v1_FeatureSet)[];
}

export interface ListFeatureSetsResponse__Output {
  'feature_sets': (_omen_featurizer_v1_FeatureSet__Output)[];
}
