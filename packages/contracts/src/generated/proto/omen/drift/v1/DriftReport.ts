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
}
