// Original file: protos/omen/abrouter/v1/abrouter.proto


export interface StopExperimentRequest {
  'experiment_id'?: (string);
  'reason'?: (string);
}

export interface StopExperimentRequest__Output {
  'experiment_id': (string);
  'reason': (string);
}
