// Original file: protos/omen/drift/v1/drift.proto

import type { DriftTarget as _omen_drift_v1_DriftTarget, DriftTarget__Output as _omen_drift_v1_DriftTarget__Output } from '../../../omen/drift/v1/DriftTarget.ts';
import type { DriftStatistic as _omen_drift_v1_DriftStatistic, DriftStatistic__Output as _omen_drift_v1_DriftStatistic__Output } from '../../../omen/drift/v1/DriftStatistic.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * One statistic for one feature (or output, or label) over the report's window.
 */
export interface FeatureDrift {
  'feature'?: (string);
  'target'?: (_omen_drift_v1_DriftTarget);
  'statistic'?: (_omen_drift_v1_DriftStatistic);
  'value'?: (number | string);
  /**
   * p-value when the statistic has one (ks, chi2).
   */
  'p_value'?: (number | string);
  'threshold'?: (number | string);
  'drifted'?: (boolean);
  'sample_size'?: (number | string | Long);
  'reference_size'?: (number | string | Long);
  /**
   * True when this test decides the feature's drift (the per-type default by reference size,
   * or the configured test); the others are computed for analysts.
   */
  'decisive'?: (boolean);
  /**
   * p-value after the Benjamini-Hochberg correction across the window's features.
   */
  'p_value_adjusted'?: (number | string);
  /**
   * Binned tests (psi, js): the window's share of observations in each bin of the reference
   * histogram (its edges, so edges + 1 shares), for a reference-vs-current chart; empty otherwise.
   */
  'current_proportions'?: (number | string)[];
  '_p_value'?: "p_value";
  '_p_value_adjusted'?: "p_value_adjusted";
}

/**
 * One statistic for one feature (or output, or label) over the report's window.
 */
export interface FeatureDrift__Output {
  'feature': (string);
  'target': (_omen_drift_v1_DriftTarget__Output);
  'statistic': (_omen_drift_v1_DriftStatistic__Output);
  'value': (number);
  /**
   * p-value when the statistic has one (ks, chi2).
   */
  'p_value'?: (number);
  'threshold': (number);
  'drifted': (boolean);
  'sample_size': (string);
  'reference_size': (string);
  /**
   * True when this test decides the feature's drift (the per-type default by reference size,
   * or the configured test); the others are computed for analysts.
   */
  'decisive': (boolean);
  /**
   * p-value after the Benjamini-Hochberg correction across the window's features.
   */
  'p_value_adjusted'?: (number);
  /**
   * Binned tests (psi, js): the window's share of observations in each bin of the reference
   * histogram (its edges, so edges + 1 shares), for a reference-vs-current chart; empty otherwise.
   */
  'current_proportions': (number)[];
  '_p_value'?: "p_value";
  '_p_value_adjusted'?: "p_value_adjusted";
}
