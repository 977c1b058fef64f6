// Original file: protos/omen/inference/v1/inference.proto


export interface RefactoringSuggestion {
  'path'?: (string);
  /**
   * Suggestion kind, e.g. "split_large_change", "reduce_file_churn".
   */
  'kind'?: (string);
  'message'?: (string);
  /**
   * Priority in [0, 1]; higher first.
   */
  'priority'?: (number | string);
}

export interface RefactoringSuggestion__Output {
  'path': (string);
  /**
   * Suggestion kind, e.g. "split_large_change", "reduce_file_churn".
   */
  'kind': (string);
  'message': (string);
  /**
   * Priority in [0, 1]; higher first.
   */
  'priority': (number);
}
