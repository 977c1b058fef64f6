// Original file: protos/kserve/v2/grpc_predict_v2.proto

import type { Long } from '@grpc/proto-loader';

/**
 * An inference parameter value. The Parameters message describes a
 * “name”/”value” pair, where the “name” is the name of the parameter
 * and the “value” is a boolean, integer, or string corresponding to
 * the parameter.
 */
export interface InferParameter {
  /**
   * A boolean parameter value.
   */
  'bool_param'?: (boolean);
  /**
   * An int64 parameter value.
   */
  'int64_param'?: (number | string | Long);
  /**
   * A string parameter value.
   */
  'string_param'?: (string);
  /**
   * The parameter value can be a string, an int64, a boolean
   * or a message specific to a predefined parameter.
   */
  'parameter_choice'?: "bool_param"|"int64_param"|"string_param";
}

/**
 * An inference parameter value. The Parameters message describes a
 * “name”/”value” pair, where the “name” is the name of the parameter
 * and the “value” is a boolean, integer, or string corresponding to
 * the parameter.
 */
export interface InferParameter__Output {
  /**
   * A boolean parameter value.
   */
  'bool_param'?: (boolean);
  /**
   * An int64 parameter value.
   */
  'int64_param'?: (string);
  /**
   * A string parameter value.
   */
  'string_param'?: (string);
  /**
   * The parameter value can be a string, an int64, a boolean
   * or a message specific to a predefined parameter.
   */
  'parameter_choice'?: "bool_param"|"int64_param"|"string_param";
}
