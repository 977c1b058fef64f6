// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { GuardrailDirection as _omen_abrouter_v1_GuardrailDirection, GuardrailDirection__Output as _omen_abrouter_v1_GuardrailDirection__Output } from '../../../omen/abrouter/v1/GuardrailDirection.ts';
import type { Long } from '@grpc/proto-loader';

export interface Guardrail {
  'metric'?: (string);
  'direction'?: (_omen_abrouter_v1_GuardrailDirection);
  'threshold'?: (number | string);
  /**
   * Units an arm needs before the guardrail is evaluated.
   */
  'min_units'?: (number | string | Long);
}

export interface Guardrail__Output {
  'metric': (string);
  'direction': (_omen_abrouter_v1_GuardrailDirection__Output);
  'threshold': (number);
  /**
   * Units an arm needs before the guardrail is evaluated.
   */
  'min_units': (string);
}
