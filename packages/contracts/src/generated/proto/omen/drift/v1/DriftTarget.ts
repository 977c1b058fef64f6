// Original file: protos/omen/drift/v1/drift.proto

export const DriftTarget = {
  DRIFT_TARGET_UNSPECIFIED: 'DRIFT_TARGET_UNSPECIFIED',
  DRIFT_TARGET_FEATURE: 'DRIFT_TARGET_FEATURE',
  DRIFT_TARGET_PREDICTION: 'DRIFT_TARGET_PREDICTION',
  DRIFT_TARGET_LABEL: 'DRIFT_TARGET_LABEL',
} as const;

export type DriftTarget =
  | 'DRIFT_TARGET_UNSPECIFIED'
  | 0
  | 'DRIFT_TARGET_FEATURE'
  | 1
  | 'DRIFT_TARGET_PREDICTION'
  | 2
  | 'DRIFT_TARGET_LABEL'
  | 3

export type DriftTarget__Output = typeof DriftTarget[keyof typeof DriftTarget]
