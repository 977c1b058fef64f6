// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { ExperimentSpec as _omen_abrouter_v1_ExperimentSpec, ExperimentSpec__Output as _omen_abrouter_v1_ExperimentSpec__Output } from '../../../omen/abrouter/v1/ExperimentSpec.ts';
import type { ExperimentState as _omen_abrouter_v1_ExperimentState, ExperimentState__Output as _omen_abrouter_v1_ExperimentState__Output } from '../../../omen/abrouter/v1/ExperimentState.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { ArmStats as _omen_abrouter_v1_ArmStats, ArmStats__Output as _omen_abrouter_v1_ArmStats__Output } from '../../../omen/abrouter/v1/ArmStats.ts';

export interface Experiment {
  'experiment_id'?: (string);
  'spec'?: (_omen_abrouter_v1_ExperimentSpec | null);
  'state'?: (_omen_abrouter_v1_ExperimentState);
  'created_at'?: (_google_protobuf_Timestamp | null);
  'stopped_at'?: (_google_protobuf_Timestamp | null);
  'stop_reason'?: (string);
  'stats'?: (_omen_abrouter_v1_ArmStats)[];
}

export interface Experiment__Output {
  'experiment_id': (string);
  'spec': (_omen_abrouter_v1_ExperimentSpec__Output | null);
  'state': (_omen_abrouter_v1_ExperimentState__Output);
  'created_at': (_google_protobuf_Timestamp__Output | null);
  'stopped_at': (_google_protobuf_Timestamp__Output | null);
  'stop_reason': (string);
  'stats': (_omen_abrouter_v1_ArmStats__Output)[];
}
