// Original file: protos/omen/trainer/v1/trainer.proto


export interface ListRunsRequest {
  /**
   * Only runs of this model; empty lists all.
   */
  'model_name'?: (string);
  /**
   * Most runs returned. @default 50
   */
  'limit'?: (number);
}

export interface ListRunsRequest__Output {
  /**
   * Only runs of this model; empty lists all.
   */
  'model_name': (string);
  /**
   * Most runs returned. @default 50
   */
  'limit': (number);
}
