// Original file: protos/omen/trainer/v1/trainer.proto

import type { GateCheck as _omen_trainer_v1_GateCheck, GateCheck__Output as _omen_trainer_v1_GateCheck__Output } from '../../../omen/trainer/v1/GateCheck.ts';

export interface GateResult {
  'passed'?: (boolean);
  'checks'?: (_omen_trainer_v1_GateCheck)[];
}

export interface GateResult__Output {
  'passed': (boolean);
  'checks': (_omen_trainer_v1_GateCheck__Output)[];
}
