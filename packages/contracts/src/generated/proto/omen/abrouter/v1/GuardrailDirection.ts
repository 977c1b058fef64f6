// Original file: protos/omen/abrouter/v1/abrouter.proto

export const GuardrailDirection = {
  GUARDRAIL_DIRECTION_UNSPECIFIED: 'GUARDRAIL_DIRECTION_UNSPECIFIED',
  /**
   * Breach when the treatment's metric exceeds the threshold (e.g. latency, error rate).
   */
  GUARDRAIL_DIRECTION_MAX: 'GUARDRAIL_DIRECTION_MAX',
  /**
   * Breach when the treatment's metric falls below the threshold.
   */
  GUARDRAIL_DIRECTION_MIN: 'GUARDRAIL_DIRECTION_MIN',
} as const;

export type GuardrailDirection =
  | 'GUARDRAIL_DIRECTION_UNSPECIFIED'
  | 0
  /**
   * Breach when the treatment's metric exceeds the threshold (e.g. latency, error rate).
   */
  | 'GUARDRAIL_DIRECTION_MAX'
  | 1
  /**
   * Breach when the treatment's metric falls below the threshold.
   */
  | 'GUARDRAIL_DIRECTION_MIN'
  | 2

export type GuardrailDirection__Output = typeof GuardrailDirection[keyof typeof GuardrailDirection]
