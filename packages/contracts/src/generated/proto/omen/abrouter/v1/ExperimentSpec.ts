// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Arm as _omen_abrouter_v1_Arm, Arm__Output as _omen_abrouter_v1_Arm__Output } from '../../../omen/abrouter/v1/Arm.ts';
import type { Guardrail as _omen_abrouter_v1_Guardrail, Guardrail__Output as _omen_abrouter_v1_Guardrail__Output } from '../../../omen/abrouter/v1/Guardrail.ts';

export interface ExperimentSpec {
  'name'?: (string);
  'description'?: (string);
  'model_name'?: (string);
  /**
   * At least two arms; the first is the control.
   */
  'arms'?: (_omen_abrouter_v1_Arm)[];
  /**
   * Randomization unit: "repo" (repo_id) or "commit" (sha).
   */
  'unit'?: (string);
  'primary_metric'?: (string);
  'metrics'?: (string)[];
  'guardrails'?: (_omen_abrouter_v1_Guardrail)[];
  /**
   * Significance level for the primary metric, e.g. 0.05.
   */
  'alpha'?: (number | string);
}

export interface ExperimentSpec__Output {
  'name': (string);
  'description': (string);
  'model_name': (string);
  /**
   * At least two arms; the first is the control.
   */
  'arms': (_omen_abrouter_v1_Arm__Output)[];
  /**
   * Randomization unit: "repo" (repo_id) or "commit" (sha).
   */
  'unit': (string);
  'primary_metric': (string);
  'metrics': (string)[];
  'guardrails': (_omen_abrouter_v1_Guardrail__Output)[];
  /**
   * Significance level for the primary metric, e.g. 0.05.
   */
  'alpha': (number);
}
