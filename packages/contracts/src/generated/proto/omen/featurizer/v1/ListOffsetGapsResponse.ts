// Original file: protos/omen/featurizer/v1/featurizer.proto

import type { OffsetGap as _omen_featurizer_v1_OffsetGap, OffsetGap__Output as _omen_featurizer_v1_OffsetGap__Output } from '../../../omen/featurizer/v1/OffsetGap.ts';

export interface ListOffsetGapsResponse {
  'gaps'?: (_omen_featurizer_v1_OffsetGap)[];
}

export interface ListOffsetGapsResponse__Output {
  'gaps': (_omen_featurizer_v1_OffsetGap__Output)[];
}
