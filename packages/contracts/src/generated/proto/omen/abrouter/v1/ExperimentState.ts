// Original file: protos/omen/abrouter/v1/abrouter.proto

export const ExperimentState = {
  EXPERIMENT_STATE_UNSPECIFIED: 'EXPERIMENT_STATE_UNSPECIFIED',
  EXPERIMENT_STATE_RUNNING: 'EXPERIMENT_STATE_RUNNING',
  EXPERIMENT_STATE_STOPPED: 'EXPERIMENT_STATE_STOPPED',
  /**
   * Stopped automatically by a guardrail breach; traffic went back to the control arm.
   */
  EXPERIMENT_STATE_ROLLED_BACK: 'EXPERIMENT_STATE_ROLLED_BACK',
  /**
   * Decided automatically: the challenger won and was promoted through the trainer's Promote;
   * traffic passes through to the (new) production version.
   */
  EXPERIMENT_STATE_PROMOTED: 'EXPERIMENT_STATE_PROMOTED',
} as const;

export type ExperimentState =
  | 'EXPERIMENT_STATE_UNSPECIFIED'
  | 0
  | 'EXPERIMENT_STATE_RUNNING'
  | 1
  | 'EXPERIMENT_STATE_STOPPED'
  | 2
  /**
   * Stopped automatically by a guardrail breach; traffic went back to the control arm.
   */
  | 'EXPERIMENT_STATE_ROLLED_BACK'
  | 3
  /**
   * Decided automatically: the challenger won and was promoted through the trainer's Promote;
   * traffic passes through to the (new) production version.
   */
  | 'EXPERIMENT_STATE_PROMOTED'
  | 4

export type ExperimentState__Output = typeof ExperimentState[keyof typeof ExperimentState]
