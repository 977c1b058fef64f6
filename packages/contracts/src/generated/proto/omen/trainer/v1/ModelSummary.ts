// Original file: protos/omen/trainer/v1/trainer.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';

export interface ModelSummary {
  'model_name'?: (string);
  /**
   * Production version; empty when none is promoted.
   */
  'production_version'?: (string);
  'latest_version'?: (string);
  'version_count'?: (number);
  'updated_at'?: (_google_protobuf_Timestamp | null);
  'challenger_version'?: (string);
}

export interface ModelSummary__Output {
  'model_name': (string);
  /**
   * Production version; empty when none is promoted.
   */
  'production_version': (string);
  'latest_version': (string);
  'version_count': (number);
  'updated_at': (_google_protobuf_Timestamp__Output | null);
  'challenger_version': (string);
}
