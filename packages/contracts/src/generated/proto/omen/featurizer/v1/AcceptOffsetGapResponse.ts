// Original file: protos/omen/featurizer/v1/featurizer.proto

import type { OffsetGap as _omen_featurizer_v1_OffsetGap, OffsetGap__Output as _omen_featurizer_v1_OffsetGap__Output } from '../../../omen/featurizer/v1/OffsetGap.ts';

export interface AcceptOffsetGapResponse {
  /**
   * The gap as accepted; reading goes on from log_start.
   */
  'gap'?: (_omen_featurizer_v1_OffsetGap | null);
}

export interface AcceptOffsetGapResponse__Output {
  /**
   * The gap as accepted; reading goes on from log_start.
   */
  'gap': (_omen_featurizer_v1_OffsetGap__Output | null);
}
