// Original file: protos/omen/drift/v1/drift.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { Long } from '@grpc/proto-loader';

export interface WindowPerformance {
  'model_name'?: (string);
  'model_version'?: (string);
  'repo_id'?: (string);
  'window_start'?: (_google_protobuf_Timestamp | null);
  'window_end'?: (_google_protobuf_Timestamp | null);
  /**
   * Predictions in the window.
   */
  'predictions'?: (number | string | Long);
  /**
   * NannyML CBPE: expected ROC AUC from the calibrated scores; unset when every score is 0 or 1.
   */
  'expected_auc'?: (number | string);
  /**
   * Set once the labels matured (window end + the maturity): scored commits joined, commits
   * with a label record, bug-inducing ones, and the realised ROC AUC (unset without both classes).
   */
  'scored'?: (number | string | Long);
  'labelled'?: (number | string | Long);
  'positives'?: (number | string | Long);
  'realised_auc'?: (number | string);
  'computed_at'?: (_google_protobuf_Timestamp | null);
  /**
   * Unset until the realised AUC is computed.
   */
  'realised_at'?: (_google_protobuf_Timestamp | null);
  '_expected_auc'?: "expected_auc";
  '_realised_auc'?: "realised_auc";
}

export interface WindowPerformance__Output {
  'model_name': (string);
  'model_version': (string);
  'repo_id': (string);
  'window_start': (_google_protobuf_Timestamp__Output | null);
  'window_end': (_google_protobuf_Timestamp__Output | null);
  /**
   * Predictions in the window.
   */
  'predictions': (string);
  /**
   * NannyML CBPE: expected ROC AUC from the calibrated scores; unset when every score is 0 or 1.
   */
  'expected_auc'?: (number);
  /**
   * Set once the labels matured (window end + the maturity): scored commits joined, commits
   * with a label record, bug-inducing ones, and the realised ROC AUC (unset without both classes).
   */
  'scored': (string);
  'labelled': (string);
  'positives': (string);
  'realised_auc'?: (number);
  'computed_at': (_google_protobuf_Timestamp__Output | null);
  /**
   * Unset until the realised AUC is computed.
   */
  'realised_at': (_google_protobuf_Timestamp__Output | null);
  '_expected_auc'?: "expected_auc";
  '_realised_auc'?: "realised_auc";
}
