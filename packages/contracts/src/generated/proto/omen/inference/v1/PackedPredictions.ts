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
   * Rows that failed (with their error), and rows with more than the columns say; `index` is
   * the row. The quality fields below are columns: a row is here for them no more.
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
  /**
   * The quality fields of PredictResponse as columns, one value per row (NaN: that row has
   * none); empty when no row has one.
   */
  'complexity_score'?: (number | string)[];
  'technical_debt_score'?: (number | string)[];
  /**
   * Every row's refactoring suggestions and security risks (findings), flattened in row order:
   * finding i belongs to row finding_rows[i], is of kind finding_kinds[finding_kind[i]]
   * ("refactoring:<kind>" or "security:<category>") and has priority (suggestions) or score
   * (risks) finding_scores[i]. PredictResponse's message and description are not repeated: they
   * are the kind said with the row's own values, which the caller sent.
   */
  'finding_kinds'?: (string)[];
  'finding_rows'?: (number)[];
  'finding_kind'?: (number)[];
  'finding_scores'?: (number | string)[];
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
   * Rows that failed (with their error), and rows with more than the columns say; `index` is
   * the row. The quality fields below are columns: a row is here for them no more.
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
  /**
   * The quality fields of PredictResponse as columns, one value per row (NaN: that row has
   * none); empty when no row has one.
   */
  'complexity_score': (number)[];
  'technical_debt_score': (number)[];
  /**
   * Every row's refactoring suggestions and security risks (findings), flattened in row order:
   * finding i belongs to row finding_rows[i], is of kind finding_kinds[finding_kind[i]]
   * ("refactoring:<kind>" or "security:<category>") and has priority (suggestions) or score
   * (risks) finding_scores[i]. PredictResponse's message and description are not repeated: they
   * are the kind said with the row's own values, which the caller sent.
   */
  'finding_kinds': (string)[];
  'finding_rows': (number)[];
  'finding_kind': (number)[];
  'finding_scores': (number)[];
}
