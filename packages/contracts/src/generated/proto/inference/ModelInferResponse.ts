// Original file: protos/kserve/v2/grpc_predict_v2.proto

import type { InferParameter as _inference_InferParameter, InferParameter__Output as _inference_InferParameter__Output } from '../inference/InferParameter.ts';
import type { InferTensorContents as _inference_InferTensorContents, InferTensorContents__Output as _inference_InferTensorContents__Output } from '../inference/InferTensorContents.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * An output tensor returned for an inference request.
 */
export interface _inference_ModelInferResponse_InferOutputTensor {
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
   * Optional output tensor parameters.
   */
  'parameters'?: ({[key: string]: _inference_InferParameter});
  /**
   * The tensor contents using a data-type format. This field must
   * not be specified if "raw" tensor contents are being used for
   * the inference response.
   */
  'contents'?: (_inference_InferTensorContents | null);
}

/**
 * An output tensor returned for an inference request.
 */
export interface _inference_ModelInferResponse_InferOutputTensor__Output {
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
   * Optional output tensor parameters.
   */
  'parameters': ({[key: string]: _inference_InferParameter__Output});
  /**
   * The tensor contents using a data-type format. This field must
   * not be specified if "raw" tensor contents are being used for
   * the inference response.
   */
  'contents': (_inference_InferTensorContents__Output | null);
}

export interface ModelInferResponse {
  /**
   * The name of the model used for inference.
   */
  'model_name'?: (string);
  /**
   * The version of the model used for inference.
   */
  'model_version'?: (string);
  /**
   * The id of the inference request if one was specified.
   */
  'id'?: (string);
  /**
   * Optional inference response parameters.
   */
  'parameters'?: ({[key: string]: _inference_InferParameter});
  /**
   * The output tensors holding inference results.
   */
  'outputs'?: (_inference_ModelInferResponse_InferOutputTensor)[];
  /**
   * The data contained in an output tensor can be represented in
   * "raw" bytes form or in the repeated type that matches the
   * tensor's data type. To use the raw representation 'raw_output_contents'
   * must be initialized with data for each tensor in the same order as
   * 'outputs'. For each tensor, the size of this content must match
   * what is expected by the tensor's shape and data type. The raw
   * data must be the flattened, one-dimensional, row-major order of
   * the tensor elements without any stride or padding between the
   * elements. Note that the FP16 data type must be represented as raw
   * content as there is no specific data type for a 16-bit float
   * type.
   * 
   * If this field is specified then InferOutputTensor::contents must
   * not be specified for any output tensor.
   */
  'raw_output_contents'?: (Buffer | Uint8Array | string)[];
}

export interface ModelInferResponse__Output {
  /**
   * The name of the model used for inference.
   */
  'model_name': (string);
  /**
   * The version of the model used for inference.
   */
  'model_version': (string);
  /**
   * The id of the inference request if one was specified.
   */
  'id': (string);
  /**
   * Optional inference response parameters.
   */
  'parameters': ({[key: string]: _inference_InferParameter__Output});
  /**
   * The output tensors holding inference results.
   */
  'outputs': (_inference_ModelInferResponse_InferOutputTensor__Output)[];
  /**
   * The data contained in an output tensor can be represented in
   * "raw" bytes form or in the repeated type that matches the
   * tensor's data type. To use the raw representation 'raw_output_contents'
   * must be initialized with data for each tensor in the same order as
   * 'outputs'. For each tensor, the size of this content must match
   * what is expected by the tensor's shape and data type. The raw
   * data must be the flattened, one-dimensional, row-major order of
   * the tensor elements without any stride or padding between the
   * elements. Note that the FP16 data type must be represented as raw
   * content as there is no specific data type for a 16-bit float
   * type.
   * 
   * If this field is specified then InferOutputTensor::contents must
   * not be specified for any output tensor.
   */
  'raw_output_contents': (Buffer)[];
}
