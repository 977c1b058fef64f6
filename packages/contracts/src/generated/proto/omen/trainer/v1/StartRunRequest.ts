// Original file: protos/omen/trainer/v1/trainer.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { Long } from '@grpc/proto-loader';

export interface StartRunRequest {
  /**
   * Model to train a new version of, e.g. "jit-defect".
   */
  'model_name'?: (string);
  'feature_set'?: (string);
  /**
   * 0 selects the latest version of the feature set.
   */
  'feature_set_version'?: (number);
  /**
   * Repositories whose commits make the training set; empty means all.
   */
  'repo_ids'?: (string)[];
  /**
   * Training cutoff: only features and labels known before it are used. Unset means now.
   */
  'cutoff'?: (_google_protobuf_Timestamp | null);
  /**
   * Learning algorithm, e.g. "logistic_regression"; empty selects the model's default.
   */
  'algorithm'?: (string);
  /**
   * Algorithm hyper-parameters, as strings.
   */
  'params'?: ({[key: string]: string});
  /**
   * Promote the new version when it passes the gate.
   */
  'auto_promote'?: (boolean);
  /**
   * Free-form reason recorded with the run (e.g. "drift: la psi 0.31").
   */
  'reason'?: (string);
  /**
   * Start of the event-time range of the rows; unset means from the beginning.
   */
  'from'?: (_google_protobuf_Timestamp | null);
  /**
   * Where the rows come from: empty or "clickhouse" (the featurizer's offline store, point in
   * time at the cutoff), or "csv:<path>" (an ISSTA'21-style change-metrics CSV the service can read).
   */
  'row_source'?: (string);
  /**
   * Newest share of the rows held out as the test set; 0 selects the configured default.
   */
  'test_fraction'?: (number | string);
  /**
   * Training rows newer than (first test row − gap_seconds) are dropped; 0 selects the default.
   */
  'gap_seconds'?: (number | string | Long);
  /**
   * What asks for the run: empty or "manual" (always runs); "drift", "schedule" or "labels" are
   * automatic triggers, refused with FAILED_PRECONDITION while the model is in its cooldown or
   * already has a run in progress.
   */
  'trigger'?: (string);
}

export interface StartRunRequest__Output {
  /**
   * Model to train a new version of, e.g. "jit-defect".
   */
  'model_name': (string);
  'feature_set': (string);
  /**
   * 0 selects the latest version of the feature set.
   */
  'feature_set_version': (number);
  /**
   * Repositories whose commits make the training set; empty means all.
   */
  'repo_ids': (string)[];
  /**
   * Training cutoff: only features and labels known before it are used. Unset means now.
   */
  'cutoff': (_google_protobuf_Timestamp__Output | null);
  /**
   * Learning algorithm, e.g. "logistic_regression"; empty selects the model's default.
   */
  'algorithm': (string);
  /**
   * Algorithm hyper-parameters, as strings.
   */
  'params': ({[key: string]: string});
  /**
   * Promote the new version when it passes the gate.
   */
  'auto_promote': (boolean);
  /**
   * Free-form reason recorded with the run (e.g. "drift: la psi 0.31").
   */
  'reason': (string);
  /**
   * Start of the event-time range of the rows; unset means from the beginning.
   */
  'from': (_google_protobuf_Timestamp__Output | null);
  /**
   * Where the rows come from: empty or "clickhouse" (the featurizer's offline store, point in
   * time at the cutoff), or "csv:<path>" (an ISSTA'21-style change-metrics CSV the service can read).
   */
  'row_source': (string);
  /**
   * Newest share of the rows held out as the test set; 0 selects the configured default.
   */
  'test_fraction': (number);
  /**
   * Training rows newer than (first test row − gap_seconds) are dropped; 0 selects the default.
   */
  'gap_seconds': (string);
  /**
   * What asks for the run: empty or "manual" (always runs); "drift", "schedule" or "labels" are
   * automatic triggers, refused with FAILED_PRECONDITION while the model is in its cooldown or
   * already has a run in progress.
   */
  'trigger': (string);
}
