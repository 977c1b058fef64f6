// Original file: protos/omen/trainer/v1/trainer.proto


export interface CandidateScore {
  'name'?: (string);
  'validation_auc'?: (number | string);
  'validation_pr_auc'?: (number | string);
}

export interface CandidateScore__Output {
  'name': (string);
  'validation_auc': (number);
  'validation_pr_auc': (number);
}
