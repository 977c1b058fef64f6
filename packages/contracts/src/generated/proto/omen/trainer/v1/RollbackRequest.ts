// Original file: protos/omen/trainer/v1/trainer.proto


export interface RollbackRequest {
  'model_name'?: (string);
  /**
   * Version to return to; empty undoes the last promotion (the version the alias had before it).
   * Repeating an empty-version rollback is a no-op, not a second step back.
   */
  'to_version'?: (string);
  'reason'?: (string);
  /**
   * @default "champion"
   */
  'alias'?: (string);
}

export interface RollbackRequest__Output {
  'model_name': (string);
  /**
   * Version to return to; empty undoes the last promotion (the version the alias had before it).
   * Repeating an empty-version rollback is a no-op, not a second step back.
   */
  'to_version': (string);
  'reason': (string);
  /**
   * @default "champion"
   */
  'alias': (string);
}
