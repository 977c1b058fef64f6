// Original file: protos/omen/drift/v1/drift.proto


export interface ListPerformanceRequest {
  'model_name'?: (string);
  /**
   * Empty lists every version.
   */
  'model_version'?: (string);
  /**
   * Empty or "*": the windows over all repositories; a repo id: that repository's.
   */
  'repo_id'?: (string);
  /**
   * At most this many windows; 0 selects the server default (50).
   */
  'page_size'?: (number);
}

export interface ListPerformanceRequest__Output {
  'model_name': (string);
  /**
   * Empty lists every version.
   */
  'model_version': (string);
  /**
   * Empty or "*": the windows over all repositories; a repo id: that repository's.
   */
  'repo_id': (string);
  /**
   * At most this many windows; 0 selects the server default (50).
   */
  'page_size': (number);
}
