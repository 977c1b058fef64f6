// Original file: protos/omen/trainer/v1/trainer.proto


export interface GetModelRequest {
  'model_name'?: (string);
  /**
   * Empty selects the production version.
   */
  'version'?: (string);
}

export interface GetModelRequest__Output {
  'model_name': (string);
  /**
   * Empty selects the production version.
   */
  'version': (string);
}
