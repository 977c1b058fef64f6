// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Arm as _omen_abrouter_v1_Arm, Arm__Output as _omen_abrouter_v1_Arm__Output } from '../../../omen/abrouter/v1/Arm.ts';
import type { Guardrail as _omen_abrouter_v1_Guardrail, Guardrail__Output as _omen_abrouter_v1_Guardrail__Output } from '../../../omen/abrouter/v1/Guardrail.ts';
import type { Canary as _omen_abrouter_v1_Canary, Canary__Output as _omen_abrouter_v1_Canary__Output } from '../../../omen/abrouter/v1/Canary.ts';

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
  /**
   * When set, the experiment is a canary that decides by itself (two arms: control, challenger).
   */
  'canary'?: (_omen_abrouter_v1_Canary | null);
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
  /**
   * When set, the experiment is a canary that decides by itself (two arms: control, challenger).
   */
  'canary': (_omen_abrouter_v1_Canary__Output | null);
}
