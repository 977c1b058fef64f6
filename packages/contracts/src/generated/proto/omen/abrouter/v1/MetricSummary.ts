// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Long } from '@grpc/proto-loader';

export interface MetricSummary {
  'metric'?: (string);
  'count'?: (number | string | Long);
  'mean'?: (number | string);
  'stddev'?: (number | string);
  /**
   * Relative difference of the mean to the control arm; absent for the control arm.
   */
  'lift'?: (number | string);
  /**
   * Two-sided p-value against the control arm; absent for the control arm.
   */
  'p_value'?: (number | string);
  /**
   * 95% confidence interval of the difference of means to control.
   */
  'ci_low'?: (number | string);
  'ci_high'?: (number | string);
  '_lift'?: "lift";
  '_p_value'?: "p_value";
  '_ci_low'?: "ci_low";
  '_ci_high'?: "ci_high";
}

export interface MetricSummary__Output {
  'metric': (string);
  'count': (string);
  'mean': (number);
  'stddev': (number);
  /**
   * Relative difference of the mean to the control arm; absent for the control arm.
   */
  'lift'?: (number);
  /**
   * Two-sided p-value against the control arm; absent for the control arm.
   */
  'p_value'?: (number);
  /**
   * 95% confidence interval of the difference of means to control.
   */
  'ci_low'?: (number);
  'ci_high'?: (number);
  '_lift'?: "lift";
  '_p_value'?: "p_value";
  '_ci_low'?: "ci_low";
  '_ci_high'?: "ci_high";
}
