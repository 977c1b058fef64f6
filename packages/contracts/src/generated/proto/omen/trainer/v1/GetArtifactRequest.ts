// Original file: protos/omen/trainer/v1/trainer.proto


export interface GetArtifactRequest {
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

export interface GetArtifactRequest__Output {
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
