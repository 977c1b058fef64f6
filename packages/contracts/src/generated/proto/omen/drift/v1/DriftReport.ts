// Original file: protos/omen/drift/v1/drift.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { FeatureDrift as _omen_drift_v1_FeatureDrift, FeatureDrift__Output as _omen_drift_v1_FeatureDrift__Output } from '../../../omen/drift/v1/FeatureDrift.ts';

export interface DriftReport {
  /**
   * "<model_name>:<model_version>:<repo_id>:<window_end ms>".
   */
  'report_id'?: (string);
  'model_name'?: (string);
  'model_version'?: (string);
  /**
   * Repository the window covers; "*" for all.
   */
  'repo_id'?: (string);
  'window_start'?: (_google_protobuf_Timestamp | null);
  'window_end'?: (_google_protobuf_Timestamp | null);
  /**
   * Model version whose training set is the reference.
   */
  'reference_version'?: (string);
  'features'?: (_omen_drift_v1_FeatureDrift)[];
  /**
   * True when any test in the report drifted.
   */
  'drifted'?: (boolean);
  /**
   * True when the report triggered a retraining run.
   */
  'retraining_triggered'?: (boolean);
  /**
   * The run started by the trigger, if any.
   */
  'retraining_run_id'?: (string);
  'computed_at'?: (_google_protobuf_Timestamp | null);
  /**
   * Share of the window's features whose decisive test drifted; unset without feature tests.
   */
  'drift_share'?: (number | string);
  /**
   * What the drift alert led to: "started", "refused" (the trainer's cooldown or a run in
   * progress), "cooldown" (the detector's alert cooldown), "unanswered", "failed", "covered"
   * (another report of the same window carried the alert); empty when nothing drifted.
   */
  'retraining_status'?: (string);
  /**
   * Why, in words (e.g. the trainer's refusal).
   */
  'retraining_detail'?: (string);
  '_drift_share'?: "drift_share";
}

export interface DriftReport__Output {
  /**
   * "<model_name>:<model_version>:<repo_id>:<window_end ms>".
   */
  'report_id': (string);
  'model_name': (string);
  'model_version': (string);
  /**
   * Repository the window covers; "*" for all.
   */
  'repo_id': (string);
  'window_start': (_google_protobuf_Timestamp__Output | null);
  'window_end': (_google_protobuf_Timestamp__Output | null);
  /**
   * Model version whose training set is the reference.
   */
  'reference_version': (string);
  'features': (_omen_drift_v1_FeatureDrift__Output)[];
  /**
   * True when any test in the report drifted.
   */
  'drifted': (boolean);
  /**
   * True when the report triggered a retraining run.
   */
  'retraining_triggered': (boolean);
  /**
   * The run started by the trigger, if any.
   */
  'retraining_run_id': (string);
  'computed_at': (_google_protobuf_Timestamp__Output | null);
  /**
   * Share of the window's features whose decisive test drifted; unset without feature tests.
   */
  'drift_share'?: (number);
  /**
   * What the drift alert led to: "started", "refused" (the trainer's cooldown or a run in
   * progress), "cooldown" (the detector's alert cooldown), "unanswered", "failed", "covered"
   * (another report of the same window carried the alert); empty when nothing drifted.
   */
  'retraining_status': (string);
  /**
   * Why, in words (e.g. the trainer's refusal).
   */
  'retraining_detail': (string);
  '_drift_share'?: "drift_share";
}
