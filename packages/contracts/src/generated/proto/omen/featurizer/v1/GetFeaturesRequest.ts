// Original file: protos/omen/featurizer/v1/featurizer.proto


export interface GetFeaturesRequest {
  'repo_id'?: (string);
  'sha'?: (string);
  /**
   * Feature set name, e.g. "jit_kamei"; empty selects the default feature set.
   */
  'feature_set'?: (string);
  /**
   * Feature set version; 0 selects the latest.
   */
  'feature_set_version'?: (number);
  /**
   * Include per-file metrics.
   */
  'include_file_metrics'?: (boolean);
}

export interface GetFeaturesRequest__Output {
  'repo_id': (string);
  'sha': (string);
  /**
   * Feature set name, e.g. "jit_kamei"; empty selects the default feature set.
   */
  'feature_set': (string);
  /**
   * Feature set version; 0 selects the latest.
   */
  'feature_set_version': (number);
  /**
   * Include per-file metrics.
   */
  'include_file_metrics': (boolean);
}
