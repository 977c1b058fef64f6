// Original file: protos/omen/trainer/v1/trainer.proto

import type { ArtifactHeader as _omen_trainer_v1_ArtifactHeader, ArtifactHeader__Output as _omen_trainer_v1_ArtifactHeader__Output } from '../../../omen/trainer/v1/ArtifactHeader.ts';

export interface ArtifactChunk {
  /**
   * First message only.
   */
  'header'?: (_omen_trainer_v1_ArtifactHeader | null);
  /**
   * The next piece of the artifact; every message after the first.
   */
  'data'?: (Buffer | Uint8Array | string);
  'part'?: "header"|"data";
}

export interface ArtifactChunk__Output {
  /**
   * First message only.
   */
  'header'?: (_omen_trainer_v1_ArtifactHeader__Output | null);
  /**
   * The next piece of the artifact; every message after the first.
   */
  'data'?: (Buffer);
  'part'?: "header"|"data";
}
