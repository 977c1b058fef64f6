// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Experiment as _omen_abrouter_v1_Experiment, Experiment__Output as _omen_abrouter_v1_Experiment__Output } from '../../../omen/abrouter/v1/Experiment.ts';

export interface ListExperimentsResponse {
  'experiments'?: (_omen_abrouter_v1_Experiment)[];
}

export interface ListExperimentsResponse__Output {
  'experiments': (_omen_abrouter_v1_Experiment__Output)[];
}
