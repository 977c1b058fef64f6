// Original file: protos/omen/abrouter/v1/abrouter.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';

export interface Decision {
  /**
   * "ramp", "promote", "rollback", "blocked" (SRM) or "wait".
   */
  'action'?: (string);
  'reason'?: (string);
  'at'?: (_google_protobuf_Timestamp | null);
  /**
   * Ramp stage when decided (0-based).
   */
  'stage'?: (number);
  /**
   * Everything the decision saw: outcomes, SRM, sequential tests, Promote's answer.
   */
  'evidence_json'?: (string);
}

export interface Decision__Output {
  /**
   * "ramp", "promote", "rollback", "blocked" (SRM) or "wait".
   */
  'action': (string);
  'reason': (string);
  'at': (_google_protobuf_Timestamp__Output | null);
  /**
   * Ramp stage when decided (0-based).
   */
  'stage': (number);
  /**
   * Everything the decision saw: outcomes, SRM, sequential tests, Promote's answer.
   */
  'evidence_json': (string);
}
