// Original file: protos/omen/trainer/v1/trainer.proto

import type { RunState as _omen_trainer_v1_RunState, RunState__Output as _omen_trainer_v1_RunState__Output } from '../../../omen/trainer/v1/RunState.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { GateResult as _omen_trainer_v1_GateResult, GateResult__Output as _omen_trainer_v1_GateResult__Output } from '../../../omen/trainer/v1/GateResult.ts';
import type { DataCheck as _omen_trainer_v1_DataCheck, DataCheck__Output as _omen_trainer_v1_DataCheck__Output } from '../../../omen/trainer/v1/DataCheck.ts';
import type { CandidateScore as _omen_trainer_v1_CandidateScore, CandidateScore__Output as _omen_trainer_v1_CandidateScore__Output } from '../../../omen/trainer/v1/CandidateScore.ts';
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
  /**
   * Training-set checks (e.g. "no_test_row_precedes_a_train_row", "labels_known_by_cutoff").
   */
  'data_checks'?: (_omen_trainer_v1_DataCheck)[];
  /**
   * Positive share of the training rows.
   */
  'label_rate'?: (number | string);
  /**
   * Positive labels of rows in range that were known only after the cutoff, so not used.
   */
  'labels_excluded'?: (number | string | Long);
  /**
   * Training rows dropped between train and test (the gap).
   */
  'gap_rows'?: (number | string | Long);
  /**
   * Event-time range of the rows used.
   */
  'data_from'?: (_google_protobuf_Timestamp | null);
  'data_to'?: (_google_protobuf_Timestamp | null);
  /**
   * What started the run: "manual", "schedule", "drift", "labels".
   */
  'trigger'?: (string);
  'validation_rows'?: (number | string | Long);
  'test_label_rate'?: (number | string);
  'row_source'?: (string);
  /**
   * Algorithm "auto": the candidate the validation slice chose ("lapredict", "lapredict_la_lt",
   * "logistic", "gbdt", "ensemble"); empty for a run that trained one kind as asked.
   */
  'selected_candidate'?: (string);
  /**
   * Algorithm "auto": every candidate's scores on the validation slice (never the test rows).
   */
  'candidate_scores'?: (_omen_trainer_v1_CandidateScore)[];
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
  /**
   * Training-set checks (e.g. "no_test_row_precedes_a_train_row", "labels_known_by_cutoff").
   */
  'data_checks': (_omen_trainer_v1_DataCheck__Output)[];
  /**
   * Positive share of the training rows.
   */
  'label_rate': (number);
  /**
   * Positive labels of rows in range that were known only after the cutoff, so not used.
   */
  'labels_excluded': (string);
  /**
   * Training rows dropped between train and test (the gap).
   */
  'gap_rows': (string);
  /**
   * Event-time range of the rows used.
   */
  'data_from': (_google_protobuf_Timestamp__Output | null);
  'data_to': (_google_protobuf_Timestamp__Output | null);
  /**
   * What started the run: "manual", "schedule", "drift", "labels".
   */
  'trigger': (string);
  'validation_rows': (string);
  'test_label_rate': (number);
  'row_source': (string);
  /**
   * Algorithm "auto": the candidate the validation slice chose ("lapredict", "lapredict_la_lt",
   * "logistic", "gbdt", "ensemble"); empty for a run that trained one kind as asked.
   */
  'selected_candidate': (string);
  /**
   * Algorithm "auto": every candidate's scores on the validation slice (never the test rows).
   */
  'candidate_scores': (_omen_trainer_v1_CandidateScore__Output)[];
}
