// Original file: protos/omen/trainer/v1/trainer.proto


export interface ListModelsRequest {
  /**
   * Only models whose name starts with this prefix; empty lists all.
   */
  'name_prefix'?: (string);
}

export interface ListModelsRequest__Output {
  /**
   * Only models whose name starts with this prefix; empty lists all.
   */
  'name_prefix': (string);
}
