// Original file: protos/omen/abrouter/v1/abrouter.proto


export interface RouteResponse {
  /**
   * Empty when no experiment is running: the production version serves.
   */
  'experiment_id'?: (string);
  'arm'?: (string);
  'model_name'?: (string);
  'model_version'?: (string);
}

export interface RouteResponse__Output {
  /**
   * Empty when no experiment is running: the production version serves.
   */
  'experiment_id': (string);
  'arm': (string);
  'model_name': (string);
  'model_version': (string);
}
