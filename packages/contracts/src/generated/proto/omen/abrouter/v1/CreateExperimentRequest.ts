// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { ExperimentSpec as _omen_abrouter_v1_ExperimentSpec, ExperimentSpec__Output as _omen_abrouter_v1_ExperimentSpec__Output } from '../../../omen/abrouter/v1/ExperimentSpec.ts';

export interface CreateExperimentRequest {
  'spec'?: (_omen_abrouter_v1_ExperimentSpec | null);
}

export interface CreateExperimentRequest__Output {
  'spec': (_omen_abrouter_v1_ExperimentSpec__Output | null);
}
