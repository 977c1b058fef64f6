// Original file: protos/omen/trainer/v1/trainer.proto


export interface ListVersionsRequest {
  'model_name'?: (string);
}

export interface ListVersionsRequest__Output {
  'model_name': (string);
}
