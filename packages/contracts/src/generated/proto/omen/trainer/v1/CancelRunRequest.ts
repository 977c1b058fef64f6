// Original file: protos/omen/trainer/v1/trainer.proto


export interface CancelRunRequest {
  'run_id'?: (string);
}

export interface CancelRunRequest__Output {
  'run_id': (string);
}
