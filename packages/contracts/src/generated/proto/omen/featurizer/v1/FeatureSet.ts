// Original file: protos/omen/featurizer/v1/featurizer.proto

import type { FeatureDefinition as _omen_featurizer_v1_FeatureDefinition, FeatureDefinition__Output as _omen_featurizer_v1_FeatureDefinition__Output } from '../../../omen/featurizer/v1/FeatureDefinition.ts';

export interface FeatureSet {
  'name'?: (string);
  'version'?: (number);
  'description'?: (string);
  'features'?: (_omen_featurizer_v1_FeatureDefinition)[];
}

export interface FeatureSet__Output {
  'name': (string);
  'version': (number);
  'description': (string);
  'features': (_omen_featurizer_v1_FeatureDefinition__Output)[];
}
