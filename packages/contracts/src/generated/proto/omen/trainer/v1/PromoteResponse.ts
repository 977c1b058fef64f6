// Original file: protos/omen/trainer/v1/trainer.proto

import type { ModelVersion as _omen_trainer_v1_ModelVersion, ModelVersion__Output as _omen_trainer_v1_ModelVersion__Output } from '../../../omen/trainer/v1/ModelVersion.ts';

export interface PromoteResponse {
  'promoted'?: (_omen_trainer_v1_ModelVersion | null);
  /**
   * Production version before the promotion; empty when there was none.
   */
  'previous_version'?: (string);
  /**
   * False when the alias already pointed at the version (promote is idempotent).
   */
  'changed'?: (boolean);
  'alias'?: (string);
}

export interface PromoteResponse__Output {
  'promoted': (_omen_trainer_v1_ModelVersion__Output | null);
  /**
   * Production version before the promotion; empty when there was none.
   */
  'previous_version': (string);
  /**
   * False when the alias already pointed at the version (promote is idempotent).
   */
  'changed': (boolean);
  'alias': (string);
}
