// Original file: protos/omen/trainer/v1/trainer.proto

import type { ModelVersion as _omen_trainer_v1_ModelVersion, ModelVersion__Output as _omen_trainer_v1_ModelVersion__Output } from '../../../omen/trainer/v1/ModelVersion.ts';

export interface ListVersionsResponse {
  'versions'?: (_omen_trainer_v1_ModelVersion)[];
}

export interface ListVersionsResponse__Output {
  'versions': (_omen_trainer_v1_ModelVersion__Output)[];
}
