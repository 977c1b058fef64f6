// Original file: protos/omen/trainer/v1/trainer.proto


export interface RollbackRequest {
  'model_name'?: (string);
  /**
   * Version to return to; empty means the previous production version.
   */
  'to_version'?: (string);
  'reason'?: (string);
}

export interface RollbackRequest__Output {
  'model_name': (string);
  /**
   * Version to return to; empty means the previous production version.
   */
  'to_version': (string);
  'reason': (string);
}
