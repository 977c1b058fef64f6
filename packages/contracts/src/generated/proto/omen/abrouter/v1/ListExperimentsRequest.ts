// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { ExperimentState as _omen_abrouter_v1_ExperimentState, ExperimentState__Output as _omen_abrouter_v1_ExperimentState__Output } from '../../../omen/abrouter/v1/ExperimentState.ts';

export interface ListExperimentsRequest {
  /**
   * Empty lists every model's experiments.
   */
  'model_name'?: (string);
  /**
   * UNSPECIFIED lists every state.
   */
  'state'?: (_omen_abrouter_v1_ExperimentState);
}

export interface ListExperimentsRequest__Output {
  /**
   * Empty lists every model's experiments.
   */
  'model_name': (string);
  /**
   * UNSPECIFIED lists every state.
   */
  'state': (_omen_abrouter_v1_ExperimentState__Output);
}
