// Original file: protos/omen/trainer/v1/trainer.proto

import type { RunState as _omen_trainer_v1_RunState, RunState__Output as _omen_trainer_v1_RunState__Output } from '../../../omen/trainer/v1/RunState.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { Run as _omen_trainer_v1_Run, Run__Output as _omen_trainer_v1_Run__Output } from '../../../omen/trainer/v1/Run.ts';

export interface RunEvent {
  'run_id'?: (string);
  'state'?: (_omen_trainer_v1_RunState);
  /**
   * Human-readable step, e.g. "training set: 5230 rows".
   */
  'message'?: (string);
  /**
   * Progress in [0, 1].
   */
  'progress'?: (number | string);
  'time'?: (_google_protobuf_Timestamp | null);
  /**
   * The run as of this event.
   */
  'run'?: (_omen_trainer_v1_Run | null);
}

export interface RunEvent__Output {
  'run_id': (string);
  'state': (_omen_trainer_v1_RunState__Output);
  /**
   * Human-readable step, e.g. "training set: 5230 rows".
   */
  'message': (string);
  /**
   * Progress in [0, 1].
   */
  'progress': (number);
  'time': (_google_protobuf_Timestamp__Output | null);
  /**
   * The run as of this event.
   */
  'run': (_omen_trainer_v1_Run__Output | null);
}
