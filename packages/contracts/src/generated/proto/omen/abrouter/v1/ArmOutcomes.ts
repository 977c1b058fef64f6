// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Estimate as _omen_abrouter_v1_Estimate, Estimate__Output as _omen_abrouter_v1_Estimate__Output } from '../../../omen/abrouter/v1/Estimate.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * Ground-truth metrics of one arm: its served predictions joined to matured labels.
 */
export interface ArmOutcomes {
  'arm'?: (string);
  /**
   * Served commits whose label matured.
   */
  'labelled'?: (number | string | Long);
  'positives'?: (number | string | Long);
  /**
   * AUC with DeLong's interval.
   */
  'auc'?: (_omen_abrouter_v1_Estimate | null);
  'brier'?: (_omen_abrouter_v1_Estimate | null);
  'log_loss'?: (_omen_abrouter_v1_Estimate | null);
  /**
   * Expected calibration error (10 bins), bootstrap interval.
   */
  'calibration_error'?: (_omen_abrouter_v1_Estimate | null);
  /**
   * At the canary's decision threshold, Wilson intervals.
   */
  'precision'?: (_omen_abrouter_v1_Estimate | null);
  'recall'?: (_omen_abrouter_v1_Estimate | null);
  /**
   * Share of bug-inducing commits in the top 20% by score (effort = commits), bootstrap interval.
   */
  'recall_at_20_effort'?: (_omen_abrouter_v1_Estimate | null);
}

/**
 * Ground-truth metrics of one arm: its served predictions joined to matured labels.
 */
export interface ArmOutcomes__Output {
  'arm': (string);
  /**
   * Served commits whose label matured.
   */
  'labelled': (string);
  'positives': (string);
  /**
   * AUC with DeLong's interval.
   */
  'auc': (_omen_abrouter_v1_Estimate__Output | null);
  'brier': (_omen_abrouter_v1_Estimate__Output | null);
  'log_loss': (_omen_abrouter_v1_Estimate__Output | null);
  /**
   * Expected calibration error (10 bins), bootstrap interval.
   */
  'calibration_error': (_omen_abrouter_v1_Estimate__Output | null);
  /**
   * At the canary's decision threshold, Wilson intervals.
   */
  'precision': (_omen_abrouter_v1_Estimate__Output | null);
  'recall': (_omen_abrouter_v1_Estimate__Output | null);
  /**
   * Share of bug-inducing commits in the top 20% by score (effort = commits), bootstrap interval.
   */
  'recall_at_20_effort': (_omen_abrouter_v1_Estimate__Output | null);
}
