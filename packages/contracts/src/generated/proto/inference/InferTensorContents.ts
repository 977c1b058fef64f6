// Original file: protos/kserve/v2/grpc_predict_v2.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The data contained in a tensor represented by the repeated type
 * that matches the tensor's data type. Protobuf oneof is not used
 * because oneofs cannot contain repeated fields.
 */
export interface InferTensorContents {
  /**
   * Representation for BOOL data type. The size must match what is
   * expected by the tensor's shape. The contents must be the flattened,
   * one-dimensional, row-major order of the tensor elements.
   */
  'bool_contents'?: (boolean)[];
  /**
   * Representation for INT8, INT16, and INT32 data types. The size
   * must match what is expected by the tensor's shape. The contents
   * must be the flattened, one-dimensional, row-major order of the
   * tensor elements.
   */
  'int_contents'?: (number)[];
  /**
   * Representation for INT64 data types. The size must match what
   * is expected by the tensor's shape. The contents must be the
   * flattened, one-dimensional, row-major order of the tensor elements.
   */
  'int64_contents'?: (number | string | Long)[];
  /**
   * Representation for UINT8, UINT16, and UINT32 data types. The size
   * must match what is expected by the tensor's shape. The contents
   * must be the flattened, one-dimensional, row-major order of the
   * tensor elements.
   */
  'uint_contents'?: (number)[];
  /**
   * Representation for UINT64 data types. The size must match what
   * is expected by the tensor's shape. The contents must be the
   * flattened, one-dimensional, row-major order of the tensor elements.
   */
  'uint64_contents'?: (number | string | Long)[];
  /**
   * Representation for FP32 data type. The size must match what is
   * expected by the tensor's shape. The contents must be the flattened,
   * one-dimensional, row-major order of the tensor elements.
   */
  'fp32_contents'?: (number | string)[];
  /**
   * Representation for FP64 data type. The size must match what is
   * expected by the tensor's shape. The contents must be the flattened,
   * one-dimensional, row-major order of the tensor elements.
   */
  'fp64_contents'?: (number | string)[];
  /**
   * Representation for BYTES data type. The size must match what is
   * expected by the tensor's shape. The contents must be the flattened,
   * one-dimensional, row-major order of the tensor elements.
   */
  'bytes_contents'?: (Buffer | Uint8Array | string)[];
}

/**
 * The data contained in a tensor represented by the repeated type
 * that matches the tensor's data type. Protobuf oneof is not used
 * because oneofs cannot contain repeated fields.
 */
export interface InferTensorContents__Output {
  /**
   * Representation for BOOL data type. The size must match what is
   * expected by the tensor's shape. The contents must be the flattened,
   * one-dimensional, row-major order of the tensor elements.
   */
  'bool_contents': (boolean)[];
  /**
   * Representation for INT8, INT16, and INT32 data types. The size
   * must match what is expected by the tensor's shape. The contents
   * must be the flattened, one-dimensional, row-major order of the
   * tensor elements.
   */
  'int_contents': (number)[];
  /**
   * Representation for INT64 data types. The size must match what
   * is expected by the tensor's shape. The contents must be the
   * flattened, one-dimensional, row-major order of the tensor elements.
   */
  'int64_contents': (string)[];
  /**
   * Representation for UINT8, UINT16, and UINT32 data types. The size
   * must match what is expected by the tensor's shape. The contents
   * must be the flattened, one-dimensional, row-major order of the
   * tensor elements.
   */
  'uint_contents': (number)[];
  /**
   * Representation for UINT64 data types. The size must match what
   * is expected by the tensor's shape. The contents must be the
   * flattened, one-dimensional, row-major order of the tensor elements.
   */
  'uint64_contents': (string)[];
  /**
   * Representation for FP32 data type. The size must match what is
   * expected by the tensor's shape. The contents must be the flattened,
   * one-dimensional, row-major order of the tensor elements.
   */
  'fp32_contents': (number)[];
  /**
   * Representation for FP64 data type. The size must match what is
   * expected by the tensor's shape. The contents must be the flattened,
   * one-dimensional, row-major order of the tensor elements.
   */
  'fp64_contents': (number)[];
  /**
   * Representation for BYTES data type. The size must match what is
   * expected by the tensor's shape. The contents must be the flattened,
   * one-dimensional, row-major order of the tensor elements.
   */
  'bytes_contents': (Buffer)[];
}
