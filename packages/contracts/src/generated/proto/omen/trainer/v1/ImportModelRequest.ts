// Original file: protos/omen/trainer/v1/trainer.proto


export interface ImportModelRequest {
  'model_name'?: (string);
  /**
   * Version label; empty lets the registry derive it from the artifact's sha256.
   */
  'version'?: (string);
  /**
   * The ONNX model itself (mind the gRPC message size limit).
   */
  'onnx_model'?: (Buffer | Uint8Array | string);
  /**
   * A path the trainer can read, e.g. a file on a shared volume.
   */
  'artifact_path'?: (string);
  'feature_set'?: (string);
  'feature_set_version'?: (number);
  'feature_names'?: (string)[];
  'metrics'?: ({[key: string]: number | string});
  'metadata'?: ({[key: string]: string});
  /**
   * sha256 (hex) the artifact must have; a mismatch is refused.
   */
  'sha256'?: (string);
  'artifact'?: "onnx_model"|"artifact_path";
}

export interface ImportModelRequest__Output {
  'model_name': (string);
  /**
   * Version label; empty lets the registry derive it from the artifact's sha256.
   */
  'version': (string);
  /**
   * The ONNX model itself (mind the gRPC message size limit).
   */
  'onnx_model'?: (Buffer);
  /**
   * A path the trainer can read, e.g. a file on a shared volume.
   */
  'artifact_path'?: (string);
  'feature_set': (string);
  'feature_set_version': (number);
  'feature_names': (string)[];
  'metrics': ({[key: string]: number});
  'metadata': ({[key: string]: string});
  /**
   * sha256 (hex) the artifact must have; a mismatch is refused.
   */
  'sha256': (string);
  'artifact'?: "onnx_model"|"artifact_path";
}
