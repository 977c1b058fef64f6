// Original file: protos/omen/inference/v1/inference.proto

import type { SecurityRisk as _omen_inference_v1_SecurityRisk, SecurityRisk__Output as _omen_inference_v1_SecurityRisk__Output } from '../../../omen/inference/v1/SecurityRisk.ts';
import type { RefactoringSuggestion as _omen_inference_v1_RefactoringSuggestion, RefactoringSuggestion__Output as _omen_inference_v1_RefactoringSuggestion__Output } from '../../../omen/inference/v1/RefactoringSuggestion.ts';
import type { FeatureContribution as _omen_inference_v1_FeatureContribution, FeatureContribution__Output as _omen_inference_v1_FeatureContribution__Output } from '../../../omen/inference/v1/FeatureContribution.ts';

export interface PredictResponse {
  'request_id'?: (string);
  'model_name'?: (string);
  'model_version'?: (string);
  'repo_id'?: (string);
  /**
   * The scored entity: the commit sha for commit references.
   */
  'entity_id'?: (string);
  /**
   * Probability in [0, 1] that the change introduces a bug.
   */
  'bug_probability'?: (number | string);
  /**
   * Code-complexity score of the change in [0, 1]; absent when the model has no such output.
   */
  'complexity_score'?: (number | string);
  'security_risks'?: (_omen_inference_v1_SecurityRisk)[];
  'refactoring_suggestions'?: (_omen_inference_v1_RefactoringSuggestion)[];
  /**
   * Technical-debt score in [0, 1]; absent when the model has no such output.
   */
  'technical_debt_score'?: (number | string);
  /**
   * Largest absolute contribution first; top_k of them.
   */
  'top_contributions'?: (_omen_inference_v1_FeatureContribution)[];
  /**
   * Every named model output.
   */
  'scores'?: ({[key: string]: number | string});
  'feature_set'?: (string);
  'feature_set_version'?: (number);
  /**
   * Server-side time for this prediction, milliseconds.
   */
  'latency_ms'?: (number | string);
  /**
   * W3C trace id of the request, when traced.
   */
  'trace_id'?: (string);
  '_complexity_score'?: "complexity_score";
  '_technical_debt_score'?: "technical_debt_score";
}

export interface PredictResponse__Output {
  'request_id': (string);
  'model_name': (string);
  'model_version': (string);
  'repo_id': (string);
  /**
   * The scored entity: the commit sha for commit references.
   */
  'entity_id': (string);
  /**
   * Probability in [0, 1] that the change introduces a bug.
   */
  'bug_probability': (number);
  /**
   * Code-complexity score of the change in [0, 1]; absent when the model has no such output.
   */
  'complexity_score'?: (number);
  'security_risks': (_omen_inference_v1_SecurityRisk__Output)[];
  'refactoring_suggestions': (_omen_inference_v1_RefactoringSuggestion__Output)[];
  /**
   * Technical-debt score in [0, 1]; absent when the model has no such output.
   */
  'technical_debt_score'?: (number);
  /**
   * Largest absolute contribution first; top_k of them.
   */
  'top_contributions': (_omen_inference_v1_FeatureContribution__Output)[];
  /**
   * Every named model output.
   */
  'scores': ({[key: string]: number});
  'feature_set': (string);
  'feature_set_version': (number);
  /**
   * Server-side time for this prediction, milliseconds.
   */
  'latency_ms': (number);
  /**
   * W3C trace id of the request, when traced.
   */
  'trace_id': (string);
  '_complexity_score'?: "complexity_score";
  '_technical_debt_score'?: "technical_debt_score";
}
