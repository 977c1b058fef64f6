// Original file: protos/omen/inference/v1/inference.proto


export interface FeatureContribution {
  'feature'?: (string);
  /**
   * The feature's value for this entity.
   */
  'value'?: (number | string);
  /**
   * Signed contribution to the score (log-odds for probabilistic models).
   */
  'contribution'?: (number | string);
}

export interface FeatureContribution__Output {
  'feature': (string);
  /**
   * The feature's value for this entity.
   */
  'value': (number);
  /**
   * Signed contribution to the score (log-odds for probabilistic models).
   */
  'contribution': (number);
}
