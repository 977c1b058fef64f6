// Original file: protos/omen/trainer/v1/trainer.proto

import type { RunState as _omen_trainer_v1_RunState, RunState__Output as _omen_trainer_v1_RunState__Output } from '../../../omen/trainer/v1/RunState.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { GateResult as _omen_trainer_v1_GateResult, GateResult__Output as _omen_trainer_v1_GateResult__Output } from '../../../omen/trainer/v1/GateResult.ts';
import type { Long } from '@grpc/proto-loader';

export interface Run {
  'run_id'?: (string);
  'model_name'?: (string);
  'state'?: (_omen_trainer_v1_RunState);
  'feature_set'?: (string);
  'feature_set_version'?: (number);
  'cutoff'?: (_google_protobuf_Timestamp | null);
  'algorithm'?: (string);
  'params'?: ({[key: string]: string});
  'created_at'?: (_google_protobuf_Timestamp | null);
  'started_at'?: (_google_protobuf_Timestamp | null);
  'finished_at'?: (_google_protobuf_Timestamp | null);
  /**
   * Evaluation metrics on the held-out set (auc, f1, precision, recall, brier, ...).
   */
  'metrics'?: ({[key: string]: number | string});
  'gate'?: (_omen_trainer_v1_GateResult | null);
  /**
   * Version registered by the run; empty until registered.
   */
  'model_version'?: (string);
  /**
   * Why the run failed; empty otherwise.
   */
  'error'?: (string);
  /**
   * Rows in the training and test sets.
   */
  'train_rows'?: (number | string | Long);
  'test_rows'?: (number | string | Long);
  'reason'?: (string);
}

export interface Run__Output {
  'run_id': (string);
  'model_name': (string);
  'state': (_omen_trainer_v1_RunState__Output);
  'feature_set': (string);
  'feature_set_version': (number);
  'cutoff': (_google_protobuf_Timestamp__Output | null);
  'algorithm': (string);
  'params': ({[key: string]: string});
  'created_at': (_google_protobuf_Timestamp__Output | null);
  'started_at': (_google_protobuf_Timestamp__Output | null);
  'finished_at': (_google_protobuf_Timestamp__Output | null);
  /**
   * Evaluation metrics on the held-out set (auc, f1, precision, recall, brier, ...).
   */
  'metrics': ({[key: string]: number});
  'gate': (_omen_trainer_v1_GateResult__Output | null);
  /**
   * Version registered by the run; empty until registered.
   */
  'model_version': (string);
  /**
   * Why the run failed; empty otherwise.
   */
  'error': (string);
  /**
   * Rows in the training and test sets.
   */
  'train_rows': (string);
  'test_rows': (string);
  'reason': (string);
}
