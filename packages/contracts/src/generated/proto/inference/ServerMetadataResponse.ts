// Original file: protos/kserve/v2/grpc_predict_v2.proto


export interface ServerMetadataResponse {
  /**
   * The server name.
   */
  'name'?: (string);
  /**
   * The server version.
   */
  'version'?: (string);
  /**
   * The extensions supported by the server.
   */
  'extensions'?: (string)[];
}

export interface ServerMetadataResponse__Output {
  /**
   * The server name.
   */
  'name': (string);
  /**
   * The server version.
   */
  'version': (string);
  /**
   * The extensions supported by the server.
   */
  'extensions': (string)[];
}
