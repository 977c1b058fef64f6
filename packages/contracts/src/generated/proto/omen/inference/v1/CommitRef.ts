// Original file: protos/omen/inference/v1/inference.proto


/**
 * A commit whose features the featurizer has computed.
 */
export interface CommitRef {
  'repo_id'?: (string);
  'sha'?: (string);
}

/**
 * A commit whose features the featurizer has computed.
 */
export interface CommitRef__Output {
  'repo_id': (string);
  'sha': (string);
}
