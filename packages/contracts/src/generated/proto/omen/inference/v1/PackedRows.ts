// Original file: protos/omen/inference/v1/inference.proto


/**
 * Rows of one feature set, packed: one list of feature names and row-major values.
 */
export interface PackedRows {
  /**
   * Empty selects the default model ("jit-defect").
   */
  'model_name'?: (string);
  /**
   * Empty selects the model's production version.
   */
  'model_version'?: (string);
  'feature_set'?: (string);
  'feature_set_version'?: (number);
  /**
   * Names as in the feature registry, in the order of each row's values.
   */
  'feature_names'?: (string)[];
  /**
   * rows × len(feature_names) values, row after row.
   */
  'values'?: (number | string)[];
  /**
   * One id per row to label its prediction with; empty, or exactly one per row.
   */
  'entity_ids'?: (string)[];
  'repo_id'?: (string);
  /**
   * Top contributing features per row; 0 returns none.
   */
  'top_k'?: (number);
  /**
   * Answer these rows in PredictBatchResponse.packed (columns) instead of one PredictResult per
   * row in `results`: for large batches, building and decoding a message per row costs more
   * than the model. PredictStream ignores it.
   */
  'packed_response'?: (boolean);
  /**
   * The same rows × len(feature_names) values as little-endian IEEE 754 float64 bytes, row after
   * row: the fast form of `values` (set one of the two, not both). A packed repeated double is
   * encoded and decoded value by value by most protobuf runtimes (protobufjs: ~10 µs a row to
   * encode, ~5 to decode, more than the model takes); bytes travel as one copy, like KServe's
   * raw_input_contents.
   */
  'values_f64le'?: (Buffer | Uint8Array | string);
}

/**
 * Rows of one feature set, packed: one list of feature names and row-major values.
 */
export interface PackedRows__Output {
  /**
   * Empty selects the default model ("jit-defect").
   */
  'model_name': (string);
  /**
   * Empty selects the model's production version.
   */
  'model_version': (string);
  'feature_set': (string);
  'feature_set_version': (number);
  /**
   * Names as in the feature registry, in the order of each row's values.
   */
  'feature_names': (string)[];
  /**
   * rows × len(feature_names) values, row after row.
   */
  'values': (number)[];
  /**
   * One id per row to label its prediction with; empty, or exactly one per row.
   */
  'entity_ids': (string)[];
  'repo_id': (string);
  /**
   * Top contributing features per row; 0 returns none.
   */
  'top_k': (number);
  /**
   * Answer these rows in PredictBatchResponse.packed (columns) instead of one PredictResult per
   * row in `results`: for large batches, building and decoding a message per row costs more
   * than the model. PredictStream ignores it.
   */
  'packed_response': (boolean);
  /**
   * The same rows × len(feature_names) values as little-endian IEEE 754 float64 bytes, row after
   * row: the fast form of `values` (set one of the two, not both). A packed repeated double is
   * encoded and decoded value by value by most protobuf runtimes (protobufjs: ~10 µs a row to
   * encode, ~5 to decode, more than the model takes); bytes travel as one copy, like KServe's
   * raw_input_contents.
   */
  'values_f64le': (Buffer);
}
