// Original file: protos/omen/trainer/v1/trainer.proto


export interface GetAliasesRequest {
  'model_name'?: (string);
}

export interface GetAliasesRequest__Output {
  'model_name': (string);
}
