// Original file: protos/omen/inference/v1/inference.proto


export interface PredictError {
  /**
   * Stable error code from @omen/errors, e.g. "NOT_FOUND".
   */
  'code'?: (string);
  'message'?: (string);
}

export interface PredictError__Output {
  /**
   * Stable error code from @omen/errors, e.g. "NOT_FOUND".
   */
  'code': (string);
  'message': (string);
}
