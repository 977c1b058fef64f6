// Original file: protos/omen/trainer/v1/trainer.proto

export const RunState = {
  RUN_STATE_UNSPECIFIED: 'RUN_STATE_UNSPECIFIED',
  RUN_STATE_PENDING: 'RUN_STATE_PENDING',
  RUN_STATE_BUILDING_DATASET: 'RUN_STATE_BUILDING_DATASET',
  RUN_STATE_TRAINING: 'RUN_STATE_TRAINING',
  RUN_STATE_EVALUATING: 'RUN_STATE_EVALUATING',
  /**
   * Trained, passed the gate and registered.
   */
  RUN_STATE_SUCCEEDED: 'RUN_STATE_SUCCEEDED',
  /**
   * Trained and registered, but it did not beat the champion by the gate's margin: the version
   * stays a candidate and an alert is published.
   */
  RUN_STATE_REJECTED: 'RUN_STATE_REJECTED',
  RUN_STATE_FAILED: 'RUN_STATE_FAILED',
  RUN_STATE_CANCELLED: 'RUN_STATE_CANCELLED',
} as const;

export type RunState =
  | 'RUN_STATE_UNSPECIFIED'
  | 0
  | 'RUN_STATE_PENDING'
  | 1
  | 'RUN_STATE_BUILDING_DATASET'
  | 2
  | 'RUN_STATE_TRAINING'
  | 3
  | 'RUN_STATE_EVALUATING'
  | 4
  /**
   * Trained, passed the gate and registered.
   */
  | 'RUN_STATE_SUCCEEDED'
  | 5
  /**
   * Trained and registered, but it did not beat the champion by the gate's margin: the version
   * stays a candidate and an alert is published.
   */
  | 'RUN_STATE_REJECTED'
  | 6
  | 'RUN_STATE_FAILED'
  | 7
  | 'RUN_STATE_CANCELLED'
  | 8

export type RunState__Output = typeof RunState[keyof typeof RunState]
