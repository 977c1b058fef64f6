// Original file: protos/omen/inference/v1/inference.proto


/**
 * Features supplied by the caller (e.g. a CI job that computed them itself).
 */
export interface InlineFeatures {
  /**
   * Feature name -> value, names as in the feature registry.
   */
  'values'?: ({[key: string]: number | string});
  'feature_set'?: (string);
  'feature_set_version'?: (number);
  /**
   * Optional ids to label the prediction with.
   */
  'repo_id'?: (string);
  'entity_id'?: (string);
}

/**
 * Features supplied by the caller (e.g. a CI job that computed them itself).
 */
export interface InlineFeatures__Output {
  /**
   * Feature name -> value, names as in the feature registry.
   */
  'values': ({[key: string]: number});
  'feature_set': (string);
  'feature_set_version': (number);
  /**
   * Optional ids to label the prediction with.
   */
  'repo_id': (string);
  'entity_id': (string);
}
