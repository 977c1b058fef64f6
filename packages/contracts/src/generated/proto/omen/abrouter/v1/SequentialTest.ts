// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Long } from '@grpc/proto-loader';

/**
 * An always-valid confidence sequence of challenger - control.
 */
export interface SequentialTest {
  'metric'?: (string);
  'diff'?: (number | string);
  'low'?: (number | string);
  'high'?: (number | string);
  'n'?: (number | string | Long);
  /**
   * "better", "worse" or "undecided" for the challenger.
   */
  'verdict'?: (string);
}

/**
 * An always-valid confidence sequence of challenger - control.
 */
export interface SequentialTest__Output {
  'metric': (string);
  'diff': (number);
  'low': (number);
  'high': (number);
  'n': (string);
  /**
   * "better", "worse" or "undecided" for the challenger.
   */
  'verdict': (string);
}
