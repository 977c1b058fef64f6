// Original file: protos/omen/trainer/v1/trainer.proto


export interface GetModelRequest {
  'model_name'?: (string);
  /**
   * Empty selects the version `alias` names.
   */
  'version'?: (string);
  /**
   * Used when version is empty. @default "champion"
   */
  'alias'?: (string);
}

export interface GetModelRequest__Output {
  'model_name': (string);
  /**
   * Empty selects the version `alias` names.
   */
  'version': (string);
  /**
   * Used when version is empty. @default "champion"
   */
  'alias': (string);
}
