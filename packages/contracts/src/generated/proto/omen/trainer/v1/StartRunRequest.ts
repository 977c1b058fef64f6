// Original file: protos/omen/trainer/v1/trainer.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';

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
}
