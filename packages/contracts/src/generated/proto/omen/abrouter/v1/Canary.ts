// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A canary: the challenger's share ramps up stage by stage; once labels have matured the
 * primary ground-truth metric (brier, log_loss or auc) is tested with an always-valid
 * confidence sequence; a win promotes the challenger through the trainer's Promote, a loss or a
 * guardrail breach sends traffic back to control (ROLLED_BACK, challenger rejected).
 */
export interface Canary {
  /**
   * Challenger shares per stage, increasing, each in (0, 1). @default [0.05, 0.25, 0.5]
   */
  'ramp'?: (number | string)[];
  /**
   * Challenger units a stage needs (without a breach or SRM) before the next stage. @default 100
   */
  'min_units_per_stage'?: (number | string | Long);
  /**
   * Labelled commits each arm needs before the primary metric may decide. @default 50
   */
  'min_labelled'?: (number | string | Long);
  /**
   * A served prediction counts once this many seconds have passed since it was served (the
   * label had time to arrive). @default 0 = ABROUTER_LABEL_MATURITY
   */
  'label_maturity_seconds'?: (number | string | Long);
  /**
   * Decision threshold for precision/recall. @default 0.5
   */
  'threshold'?: (number | string);
  /**
   * Minimum detectable effect on the primary metric, for the sample size shown at creation. @default 0.01
   */
  'mde'?: (number | string);
  /**
   * Power for that sample size. @default 0.8
   */
  'power'?: (number | string);
  /**
   * Per-unit standard deviation of the primary metric assumed for the sample size. @default 0.2
   */
  'baseline_stddev'?: (number | string);
}

/**
 * A canary: the challenger's share ramps up stage by stage; once labels have matured the
 * primary ground-truth metric (brier, log_loss or auc) is tested with an always-valid
 * confidence sequence; a win promotes the challenger through the trainer's Promote, a loss or a
 * guardrail breach sends traffic back to control (ROLLED_BACK, challenger rejected).
 */
export interface Canary__Output {
  /**
   * Challenger shares per stage, increasing, each in (0, 1). @default [0.05, 0.25, 0.5]
   */
  'ramp': (number)[];
  /**
   * Challenger units a stage needs (without a breach or SRM) before the next stage. @default 100
   */
  'min_units_per_stage': (string);
  /**
   * Labelled commits each arm needs before the primary metric may decide. @default 50
   */
  'min_labelled': (string);
  /**
   * A served prediction counts once this many seconds have passed since it was served (the
   * label had time to arrive). @default 0 = ABROUTER_LABEL_MATURITY
   */
  'label_maturity_seconds': (string);
  /**
   * Decision threshold for precision/recall. @default 0.5
   */
  'threshold': (number);
  /**
   * Minimum detectable effect on the primary metric, for the sample size shown at creation. @default 0.01
   */
  'mde': (number);
  /**
   * Power for that sample size. @default 0.8
   */
  'power': (number);
  /**
   * Per-unit standard deviation of the primary metric assumed for the sample size. @default 0.2
   */
  'baseline_stddev': (number);
}
