// Original file: protos/omen/trainer/v1/trainer.proto

import type { Run as _omen_trainer_v1_Run, Run__Output as _omen_trainer_v1_Run__Output } from '../../../omen/trainer/v1/Run.ts';

export interface ListRunsResponse {
  'runs'?: (_omen_trainer_v1_Run)[];
}

export interface ListRunsResponse__Output {
  'runs': (_omen_trainer_v1_Run__Output)[];
}
