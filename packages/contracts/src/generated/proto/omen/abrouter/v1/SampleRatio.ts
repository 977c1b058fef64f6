// Original file: protos/omen/abrouter/v1/abrouter.proto


export interface SampleRatio {
  'chi2'?: (number | string);
  'p_value'?: (number | string);
  /**
   * p < 0.001: decisions are blocked.
   */
  'mismatch'?: (boolean);
}

export interface SampleRatio__Output {
  'chi2': (number);
  'p_value': (number);
  /**
   * p < 0.001: decisions are blocked.
   */
  'mismatch': (boolean);
}
