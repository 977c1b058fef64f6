// Original file: protos/omen/trainer/v1/trainer.proto

import type { ModelSummary as _omen_trainer_v1_ModelSummary, ModelSummary__Output as _omen_trainer_v1_ModelSummary__Output } from '../../../omen/trainer/v1/ModelSummary.ts';

export interface ListModelsResponse {
  'models'?: (_omen_trainer_v1_ModelSummary)[];
}

export interface ListModelsResponse__Output {
  'models': (_omen_trainer_v1_ModelSummary__Output)[];
}
