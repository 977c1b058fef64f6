// Original file: protos/omen/trainer/v1/trainer.proto

import type { ModelVersion as _omen_trainer_v1_ModelVersion, ModelVersion__Output as _omen_trainer_v1_ModelVersion__Output } from '../../../omen/trainer/v1/ModelVersion.ts';

export interface RollbackResponse {
  /**
   * The production version after the rollback.
   */
  'current'?: (_omen_trainer_v1_ModelVersion | null);
  /**
   * The version that was rolled back.
   */
  'rolled_back_version'?: (string);
  /**
   * False when nothing changed (already rolled back).
   */
  'changed'?: (boolean);
}

export interface RollbackResponse__Output {
  /**
   * The production version after the rollback.
   */
  'current': (_omen_trainer_v1_ModelVersion__Output | null);
  /**
   * The version that was rolled back.
   */
  'rolled_back_version': (string);
  /**
   * False when nothing changed (already rolled back).
   */
  'changed': (boolean);
}
