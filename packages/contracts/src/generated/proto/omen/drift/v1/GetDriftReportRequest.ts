// Original file: protos/omen/drift/v1/drift.proto


export interface GetDriftReportRequest {
  'model_name'?: (string);
  /**
   * Empty selects the production version.
   */
  'model_version'?: (string);
  /**
   * Empty or "*" selects the report over all repositories.
   */
  'repo_id'?: (string);
}

export interface GetDriftReportRequest__Output {
  'model_name': (string);
  /**
   * Empty selects the production version.
   */
  'model_version': (string);
  /**
   * Empty or "*" selects the report over all repositories.
   */
  'repo_id': (string);
}
