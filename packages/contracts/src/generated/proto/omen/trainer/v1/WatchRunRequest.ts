// Original file: protos/omen/trainer/v1/trainer.proto


export interface WatchRunRequest {
  'run_id'?: (string);
}

export interface WatchRunRequest__Output {
  'run_id': (string);
}
