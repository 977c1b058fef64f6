// Original file: protos/kserve/v2/grpc_predict_v2.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Metadata for a tensor.
 */
export interface _inference_ModelMetadataResponse_TensorMetadata {
  /**
   * The tensor name.
   */
  'name'?: (string);
  /**
   * The tensor data type.
   */
  'datatype'?: (string);
  /**
   * The tensor shape. A variable-size dimension is represented
   * by a -1 value.
   */
  'shape'?: (number | string | Long)[];
}

/**
 * Metadata for a tensor.
 */
export interface _inference_ModelMetadataResponse_TensorMetadata__Output {
  /**
   * The tensor name.
   */
  'name': (string);
  /**
   * The tensor data type.
   */
  'datatype': (string);
  /**
   * The tensor shape. A variable-size dimension is represented
   * by a -1 value.
   */
  'shape': (string)[];
}

export interface ModelMetadataResponse {
  /**
   * The model name.
   */
  'name'?: (string);
  /**
   * The versions of the model available on the server.
   */
  'versions'?: (string)[];
  /**
   * The model's platform. See Platforms.
   */
  'platform'?: (string);
  /**
   * The model's inputs.
   */
  'inputs'?: (_inference_ModelMetadataResponse_TensorMetadata)[];
  /**
   * The model's outputs.
   */
  'outputs'?: (_inference_ModelMetadataResponse_TensorMetadata)[];
}

export interface ModelMetadataResponse__Output {
  /**
   * The model name.
   */
  'name': (string);
  /**
   * The versions of the model available on the server.
   */
  'versions': (string)[];
  /**
   * The model's platform. See Platforms.
   */
  'platform': (string);
  /**
   * The model's inputs.
   */
  'inputs': (_inference_ModelMetadataResponse_TensorMetadata__Output)[];
  /**
   * The model's outputs.
   */
  'outputs': (_inference_ModelMetadataResponse_TensorMetadata__Output)[];
}
