// Original file: protos/omen/abrouter/v1/abrouter.proto


export interface RouteRequest {
  /**
   * Empty selects the running experiment of model_name, if any.
   */
  'experiment_id'?: (string);
  'model_name'?: (string);
  /**
   * The unit to assign (repo_id or sha, per the experiment's unit).
   */
  'unit_id'?: (string);
}

export interface RouteRequest__Output {
  /**
   * Empty selects the running experiment of model_name, if any.
   */
  'experiment_id': (string);
  'model_name': (string);
  /**
   * The unit to assign (repo_id or sha, per the experiment's unit).
   */
  'unit_id': (string);
}
