// Original file: protos/omen/inference/v1/inference.proto

import type { PredictResult as _omen_inference_v1_PredictResult, PredictResult__Output as _omen_inference_v1_PredictResult__Output } from '../../../omen/inference/v1/PredictResult.ts';

/**
 * Answers to PackedRows with packed_response, as columns: row r's values are at r (or at
 * r × width for the row-major blocks). Anything a row's answer holds beyond these columns (a
 * security risk, a refactoring suggestion, a complexity or technical-debt score) or its error
 * is in `details`, as the PredictResult that row would have had.
 */
export interface PackedPredictions {
  'model_name'?: (string);
  'model_version'?: (string);
  'feature_set'?: (string);
  'feature_set_version'?: (number);
  /**
   * Rows answered: the request's row count.
   */
  'rows'?: (number);
  /**
   * Probability per row that the change introduces a bug; NaN for a row that failed.
   */
  'bug_probability'?: (number | string)[];
  /**
   * Every other named per-row model output: names, then rows × len(score_names) values.
   */
  'score_names'?: (string)[];
  'scores'?: (number | string)[];
  /**
   * With top_k > 0: k = min(top_k, features) contributions per row, largest absolute first,
   * rows × k of each: the feature as an index into PackedRows.feature_names, and its signed
   * contribution (log-odds). The value is the request's.
   */
  'top_k'?: (number);
  'contribution_features'?: (number)[];
  'contributions'?: (number | string)[];
  /**
   * Rows with more than the columns say, or that failed; `index` is the row.
   */
  'details'?: (_omen_inference_v1_PredictResult)[];
  /**
   * Server-side time for the whole call, milliseconds.
   */
  'latency_ms'?: (number | string);
  /**
   * W3C trace id of the request, when traced.
   */
  'trace_id'?: (string);
}

/**
 * Answers to PackedRows with packed_response, as columns: row r's values are at r (or at
 * r × width for the row-major blocks). Anything a row's answer holds beyond these columns (a
 * security risk, a refactoring suggestion, a complexity or technical-debt score) or its error
 * is in `details`, as the PredictResult that row would have had.
 */
export interface PackedPredictions__Output {
  'model_name': (string);
  'model_version': (string);
  'feature_set': (string);
  'feature_set_version': (number);
  /**
   * Rows answered: the request's row count.
   */
  'rows': (number);
  /**
   * Probability per row that the change introduces a bug; NaN for a row that failed.
   */
  'bug_probability': (number)[];
  /**
   * Every other named per-row model output: names, then rows × len(score_names) values.
   */
  'score_names': (string)[];
  'scores': (number)[];
  /**
   * With top_k > 0: k = min(top_k, features) contributions per row, largest absolute first,
   * rows × k of each: the feature as an index into PackedRows.feature_names, and its signed
   * contribution (log-odds). The value is the request's.
   */
  'top_k': (number);
  'contribution_features': (number)[];
  'contributions': (number)[];
  /**
   * Rows with more than the columns say, or that failed; `index` is the row.
   */
  'details': (_omen_inference_v1_PredictResult__Output)[];
  /**
   * Server-side time for the whole call, milliseconds.
   */
  'latency_ms': (number);
  /**
   * W3C trace id of the request, when traced.
   */
  'trace_id': (string);
}
