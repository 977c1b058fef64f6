// Original file: protos/kserve/v2/grpc_predict_v2.proto


export interface ModelReadyResponse {
  /**
   * True if the model is ready, false if not ready.
   */
  'ready'?: (boolean);
}

export interface ModelReadyResponse__Output {
  /**
   * True if the model is ready, false if not ready.
   */
  'ready': (boolean);
}
