// Original file: protos/kserve/v2/grpc_predict_v2.proto


export interface ServerLiveResponse {
  /**
   * True if the inference server is live, false if not live.
   */
  'live'?: (boolean);
}

export interface ServerLiveResponse__Output {
  /**
   * True if the inference server is live, false if not live.
   */
  'live': (boolean);
}
