// Original file: protos/omen/abrouter/v1/abrouter.proto


export interface GetExperimentRequest {
  'experiment_id'?: (string);
}

export interface GetExperimentRequest__Output {
  'experiment_id': (string);
}
