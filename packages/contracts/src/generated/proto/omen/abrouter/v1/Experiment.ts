// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { ExperimentSpec as _omen_abrouter_v1_ExperimentSpec, ExperimentSpec__Output as _omen_abrouter_v1_ExperimentSpec__Output } from '../../../omen/abrouter/v1/ExperimentSpec.ts';
import type { ExperimentState as _omen_abrouter_v1_ExperimentState, ExperimentState__Output as _omen_abrouter_v1_ExperimentState__Output } from '../../../omen/abrouter/v1/ExperimentState.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { ArmStats as _omen_abrouter_v1_ArmStats, ArmStats__Output as _omen_abrouter_v1_ArmStats__Output } from '../../../omen/abrouter/v1/ArmStats.ts';
import type { ArmOutcomes as _omen_abrouter_v1_ArmOutcomes, ArmOutcomes__Output as _omen_abrouter_v1_ArmOutcomes__Output } from '../../../omen/abrouter/v1/ArmOutcomes.ts';
import type { Decision as _omen_abrouter_v1_Decision, Decision__Output as _omen_abrouter_v1_Decision__Output } from '../../../omen/abrouter/v1/Decision.ts';
import type { SampleRatio as _omen_abrouter_v1_SampleRatio, SampleRatio__Output as _omen_abrouter_v1_SampleRatio__Output } from '../../../omen/abrouter/v1/SampleRatio.ts';
import type { SequentialTest as _omen_abrouter_v1_SequentialTest, SequentialTest__Output as _omen_abrouter_v1_SequentialTest__Output } from '../../../omen/abrouter/v1/SequentialTest.ts';
import type { SampleSize as _omen_abrouter_v1_SampleSize, SampleSize__Output as _omen_abrouter_v1_SampleSize__Output } from '../../../omen/abrouter/v1/SampleSize.ts';

export interface Experiment {
  'experiment_id'?: (string);
  'spec'?: (_omen_abrouter_v1_ExperimentSpec | null);
  'state'?: (_omen_abrouter_v1_ExperimentState);
  'created_at'?: (_google_protobuf_Timestamp | null);
  'stopped_at'?: (_google_protobuf_Timestamp | null);
  'stop_reason'?: (string);
  'stats'?: (_omen_abrouter_v1_ArmStats)[];
  /**
   * Ground-truth metrics per arm (canary experiments), from the last evaluation.
   */
  'outcomes'?: (_omen_abrouter_v1_ArmOutcomes)[];
  /**
   * The last decision that changed something (ramp, promote, rollback, blocked).
   */
  'decision'?: (_omen_abrouter_v1_Decision | null);
  /**
   * Current ramp stage and the weights routing uses now.
   */
  'stage'?: (number);
  'current_weights'?: (number | string)[];
  /**
   * Sample-ratio check: a canary's from its last evaluation (the current stage's units), a plain
   * experiment's over all its units against the arms' weights; unset before any unit.
   */
  'srm'?: (_omen_abrouter_v1_SampleRatio | null);
  'sequential'?: (_omen_abrouter_v1_SequentialTest)[];
  /**
   * Fixed-horizon units per arm for the canary's mde and power (shown at creation).
   */
  'sample_size'?: (_omen_abrouter_v1_SampleSize | null);
}

export interface Experiment__Output {
  'experiment_id': (string);
  'spec': (_omen_abrouter_v1_ExperimentSpec__Output | null);
  'state': (_omen_abrouter_v1_ExperimentState__Output);
  'created_at': (_google_protobuf_Timestamp__Output | null);
  'stopped_at': (_google_protobuf_Timestamp__Output | null);
  'stop_reason': (string);
  'stats': (_omen_abrouter_v1_ArmStats__Output)[];
  /**
   * Ground-truth metrics per arm (canary experiments), from the last evaluation.
   */
  'outcomes': (_omen_abrouter_v1_ArmOutcomes__Output)[];
  /**
   * The last decision that changed something (ramp, promote, rollback, blocked).
   */
  'decision': (_omen_abrouter_v1_Decision__Output | null);
  /**
   * Current ramp stage and the weights routing uses now.
   */
  'stage': (number);
  'current_weights': (number)[];
  /**
   * Sample-ratio check: a canary's from its last evaluation (the current stage's units), a plain
   * experiment's over all its units against the arms' weights; unset before any unit.
   */
  'srm': (_omen_abrouter_v1_SampleRatio__Output | null);
  'sequential': (_omen_abrouter_v1_SequentialTest__Output)[];
  /**
   * Fixed-horizon units per arm for the canary's mde and power (shown at creation).
   */
  'sample_size': (_omen_abrouter_v1_SampleSize__Output | null);
}
