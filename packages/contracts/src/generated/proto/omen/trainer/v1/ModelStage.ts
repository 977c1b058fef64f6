// Original file: protos/omen/trainer/v1/trainer.proto

export const ModelStage = {
  MODEL_STAGE_UNSPECIFIED: 'MODEL_STAGE_UNSPECIFIED',
  MODEL_STAGE_CANDIDATE: 'MODEL_STAGE_CANDIDATE',
  MODEL_STAGE_PRODUCTION: 'MODEL_STAGE_PRODUCTION',
  MODEL_STAGE_ARCHIVED: 'MODEL_STAGE_ARCHIVED',
  MODEL_STAGE_REJECTED: 'MODEL_STAGE_REJECTED',
} as const;

export type ModelStage =
  | 'MODEL_STAGE_UNSPECIFIED'
  | 0
  | 'MODEL_STAGE_CANDIDATE'
  | 1
  | 'MODEL_STAGE_PRODUCTION'
  | 2
  | 'MODEL_STAGE_ARCHIVED'
  | 3
  | 'MODEL_STAGE_REJECTED'
  | 4

export type ModelStage__Output = typeof ModelStage[keyof typeof ModelStage]
