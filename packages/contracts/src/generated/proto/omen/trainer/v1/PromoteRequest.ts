// Original file: protos/omen/trainer/v1/trainer.proto


export interface PromoteRequest {
  'model_name'?: (string);
  'version'?: (string);
  'reason'?: (string);
  /**
   * Promote even when the version did not pass the gate.
   */
  'force'?: (boolean);
  /**
   * Alias to point at the version. @default "champion" (the production version)
   */
  'alias'?: (string);
}

export interface PromoteRequest__Output {
  'model_name': (string);
  'version': (string);
  'reason': (string);
  /**
   * Promote even when the version did not pass the gate.
   */
  'force': (boolean);
  /**
   * Alias to point at the version. @default "champion" (the production version)
   */
  'alias': (string);
}
