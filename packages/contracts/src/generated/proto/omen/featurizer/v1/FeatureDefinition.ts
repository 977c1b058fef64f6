// Original file: protos/omen/featurizer/v1/featurizer.proto

import type { FeatureValueType as _omen_featurizer_v1_FeatureValueType, FeatureValueType__Output as _omen_featurizer_v1_FeatureValueType__Output } from '../../../omen/featurizer/v1/FeatureValueType.ts';

export interface FeatureDefinition {
  'name'?: (string);
  'description'?: (string);
  'value_type'?: (_omen_featurizer_v1_FeatureValueType);
  /**
   * Entity the feature describes: "commit" or "file".
   */
  'entity'?: (string);
}

export interface FeatureDefinition__Output {
  'name': (string);
  'description': (string);
  'value_type': (_omen_featurizer_v1_FeatureValueType__Output);
  /**
   * Entity the feature describes: "commit" or "file".
   */
  'entity': (string);
}
