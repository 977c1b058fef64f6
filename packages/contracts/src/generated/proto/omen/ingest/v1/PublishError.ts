// Original file: protos/omen/ingest/v1/ingest.proto


export interface PublishError {
  /**
   * Stable error code from @omen/errors, e.g. "INVALID_ARGUMENT".
   */
  'code'?: (string);
  /**
   * What was wrong, naming the field.
   */
  'message'?: (string);
}

export interface PublishError__Output {
  /**
   * Stable error code from @omen/errors, e.g. "INVALID_ARGUMENT".
   */
  'code': (string);
  /**
   * What was wrong, naming the field.
   */
  'message': (string);
}
