// Original file: protos/kserve/v2/grpc_predict_v2.proto

import type { InferParameter as _inference_InferParameter, InferParameter__Output as _inference_InferParameter__Output } from '../inference/InferParameter.ts';
import type { InferTensorContents as _inference_InferTensorContents, InferTensorContents__Output as _inference_InferTensorContents__Output } from '../inference/InferTensorContents.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * An input tensor for an inference request.
 */
export interface _inference_ModelInferRequest_InferInputTensor {
  /**
   * The tensor name.
   */
  'name'?: (string);
  /**
   * The tensor data type.
   */
  'datatype'?: (string);
  /**
   * The tensor shape.
   */
  'shape'?: (number | string | Long)[];
  /**
   * Optional inference input tensor parameters.
   */
  'parameters'?: ({[key: string]: _inference_InferParameter});
  /**
   * The tensor contents using a data-type format. This field must
   * not be specified if "raw" tensor contents are being used for
   * the inference request.
   */
  'contents'?: (_inference_InferTensorContents | null);
}

/**
 * An input tensor for an inference request.
 */
export interface _inference_ModelInferRequest_InferInputTensor__Output {
  /**
   * The tensor name.
   */
  'name': (string);
  /**
   * The tensor data type.
   */
  'datatype': (string);
  /**
   * The tensor shape.
   */
  'shape': (string)[];
  /**
   * Optional inference input tensor parameters.
   */
  'parameters': ({[key: string]: _inference_InferParameter__Output});
  /**
   * The tensor contents using a data-type format. This field must
   * not be specified if "raw" tensor contents are being used for
   * the inference request.
   */
  'contents': (_inference_InferTensorContents__Output | null);
}

/**
 * An output tensor requested for an inference request.
 */
export interface _inference_ModelInferRequest_InferRequestedOutputTensor {
  /**
   * The tensor name.
   */
  'name'?: (string);
  /**
   * Optional requested output tensor parameters.
   */
  'parameters'?: ({[key: string]: _inference_InferParameter});
}

/**
 * An output tensor requested for an inference request.
 */
export interface _inference_ModelInferRequest_InferRequestedOutputTensor__Output {
  /**
   * The tensor name.
   */
  'name': (string);
  /**
   * Optional requested output tensor parameters.
   */
  'parameters': ({[key: string]: _inference_InferParameter__Output});
}

export interface ModelInferRequest {
  /**
   * The name of the model to use for inferencing.
   */
  'model_name'?: (string);
  /**
   * The version of the model to use for inference. If not given the
   * server will choose a version based on the model and internal policy.
   */
  'model_version'?: (string);
  /**
   * Optional identifier for the request. If specified will be
   * returned in the response.
   */
  'id'?: (string);
  /**
   * Optional inference parameters.
   */
  'parameters'?: ({[key: string]: _inference_InferParameter});
  /**
   * The input tensors for the inference.
   */
  'inputs'?: (_inference_ModelInferRequest_InferInputTensor)[];
  /**
   * The requested output tensors for the inference. Optional, if not
   * specified all outputs produced by the model will be returned.
   */
  'outputs'?: (_inference_ModelInferRequest_InferRequestedOutputTensor)[];
  /**
   * The data contained in an input tensor can be represented in "raw"
   * bytes form or in the repeated type that matches the tensor's data
   * type. To use the raw representation 'raw_input_contents' must be
   * initialized with data for each tensor in the same order as
   * 'inputs'. For each tensor, the size of this content must match
   * what is expected by the tensor's shape and data type. The raw
   * data must be the flattened, one-dimensional, row-major order of
   * the tensor elements without any stride or padding between the
   * elements. Note that the FP16 data type must be represented as raw
   * content as there is no specific data type for a 16-bit float
   * type.
   * 
   * If this field is specified then InferInputTensor::contents must
   * not be specified for any input tensor.
   */
  'raw_input_contents'?: (Buffer | Uint8Array | string)[];
}

export interface ModelInferRequest__Output {
  /**
   * The name of the model to use for inferencing.
   */
  'model_name': (string);
  /**
   * The version of the model to use for inference. If not given the
   * server will choose a version based on the model and internal policy.
   */
  'model_version': (string);
  /**
   * Optional identifier for the request. If specified will be
   * returned in the response.
   */
  'id': (string);
  /**
   * Optional inference parameters.
   */
  'parameters': ({[key: string]: _inference_InferParameter__Output});
  /**
   * The input tensors for the inference.
   */
  'inputs': (_inference_ModelInferRequest_InferInputTensor__Output)[];
  /**
   * The requested output tensors for the inference. Optional, if not
   * specified all outputs produced by the model will be returned.
   */
  'outputs': (_inference_ModelInferRequest_InferRequestedOutputTensor__Output)[];
  /**
   * The data contained in an input tensor can be represented in "raw"
   * bytes form or in the repeated type that matches the tensor's data
   * type. To use the raw representation 'raw_input_contents' must be
   * initialized with data for each tensor in the same order as
   * 'inputs'. For each tensor, the size of this content must match
   * what is expected by the tensor's shape and data type. The raw
   * data must be the flattened, one-dimensional, row-major order of
   * the tensor elements without any stride or padding between the
   * elements. Note that the FP16 data type must be represented as raw
   * content as there is no specific data type for a 16-bit float
   * type.
   * 
   * If this field is specified then InferInputTensor::contents must
   * not be specified for any input tensor.
   */
  'raw_input_contents': (Buffer)[];
}
