// Original file: protos/omen/abrouter/v1/abrouter.proto


export interface Arm {
  /**
   * Arm name, e.g. "control", "treatment".
   */
  'name'?: (string);
  'model_version'?: (string);
  /**
   * Share of traffic; weights are normalized over the arms.
   */
  'weight'?: (number | string);
}

export interface Arm__Output {
  /**
   * Arm name, e.g. "control", "treatment".
   */
  'name': (string);
  'model_version': (string);
  /**
   * Share of traffic; weights are normalized over the arms.
   */
  'weight': (number);
}
