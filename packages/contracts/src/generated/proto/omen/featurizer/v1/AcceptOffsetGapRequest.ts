// Original file: protos/omen/featurizer/v1/featurizer.proto

import type { Long } from '@grpc/proto-loader';

export interface AcceptOffsetGapRequest {
  'topic'?: (string);
  'partition'?: (number);
  /**
   * The offset the partition stopped at, as ListOffsetGaps reported it.
   */
  'expected_offset'?: (number | string | Long);
  /**
   * Why (logged with the decision), e.g. "featurizer rebuild --repo github:o/r".
   */
  'reason'?: (string);
}

export interface AcceptOffsetGapRequest__Output {
  'topic': (string);
  'partition': (number);
  /**
   * The offset the partition stopped at, as ListOffsetGaps reported it.
   */
  'expected_offset': (string);
  /**
   * Why (logged with the decision), e.g. "featurizer rebuild --repo github:o/r".
   */
  'reason': (string);
}
