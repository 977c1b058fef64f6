// Original file: protos/omen/featurizer/v1/featurizer.proto

import type { Long } from '@grpc/proto-loader';

export interface OffsetGap {
  'group'?: (string);
  'topic'?: (string);
  'partition'?: (number);
  /**
   * The offset the group was to read next: the first lost one.
   */
  'expected_offset'?: (number | string | Long);
  /**
   * The partition's log start and end when the gap was seen (accepted: when it was accepted).
   */
  'log_start'?: (number | string | Long);
  'log_end'?: (number | string | Long);
  /**
   * "deleted" (offsets expected..log_start-1 are gone) or "ahead" (past the log's end).
   */
  'kind'?: (string);
  /**
   * Records lost (log_start - expected_offset for "deleted", 0 for "ahead").
   */
  'skipped'?: (number | string | Long);
  'reason'?: (string);
}

export interface OffsetGap__Output {
  'group': (string);
  'topic': (string);
  'partition': (number);
  /**
   * The offset the group was to read next: the first lost one.
   */
  'expected_offset': (string);
  /**
   * The partition's log start and end when the gap was seen (accepted: when it was accepted).
   */
  'log_start': (string);
  'log_end': (string);
  /**
   * "deleted" (offsets expected..log_start-1 are gone) or "ahead" (past the log's end).
   */
  'kind': (string);
  /**
   * Records lost (log_start - expected_offset for "deleted", 0 for "ahead").
   */
  'skipped': (string);
  'reason': (string);
}
