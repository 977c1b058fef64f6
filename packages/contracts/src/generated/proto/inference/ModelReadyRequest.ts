// Original file: protos/kserve/v2/grpc_predict_v2.proto


export interface ModelReadyRequest {
  /**
   * The name of the model to check for readiness.
   */
  'name'?: (string);
  /**
   * The version of the model to check for readiness. If not given the
   * server will choose a version based on the model and internal policy.
   */
  'version'?: (string);
}

export interface ModelReadyRequest__Output {
  /**
   * The name of the model to check for readiness.
   */
  'name': (string);
  /**
   * The version of the model to check for readiness. If not given the
   * server will choose a version based on the model and internal policy.
   */
  'version': (string);
}
