// Original file: protos/omen/inference/v1/inference.proto


export interface SecurityRisk {
  /**
   * Risk category, e.g. "secrets", "dependency_change", "auth_code_touched".
   */
  'category'?: (string);
  /**
   * File the risk concerns; empty for commit-level risks.
   */
  'path'?: (string);
  /**
   * Severity score in [0, 1].
   */
  'score'?: (number | string);
  'description'?: (string);
}

export interface SecurityRisk__Output {
  /**
   * Risk category, e.g. "secrets", "dependency_change", "auth_code_touched".
   */
  'category': (string);
  /**
   * File the risk concerns; empty for commit-level risks.
   */
  'path': (string);
  /**
   * Severity score in [0, 1].
   */
  'score': (number);
  'description': (string);
}
