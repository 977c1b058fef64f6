// Original file: protos/kserve/v2/grpc_predict_v2.proto


export interface ServerReadyResponse {
  /**
   * True if the inference server is ready, false if not ready.
   */
  'ready'?: (boolean);
}

export interface ServerReadyResponse__Output {
  /**
   * True if the inference server is ready, false if not ready.
   */
  'ready': (boolean);
}
