// Original file: protos/omen/drift/v1/drift.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';

export interface ListDriftReportsRequest {
  'model_name'?: (string);
  /**
   * Empty lists every version.
   */
  'model_version'?: (string);
  /**
   * Only reports containing this feature; empty for all.
   */
  'feature'?: (string);
  /**
   * Window bounds; unset means unbounded.
   */
  'since'?: (_google_protobuf_Timestamp | null);
  'until'?: (_google_protobuf_Timestamp | null);
  'drifted_only'?: (boolean);
  /**
   * At most this many reports; 0 selects the server default (50).
   */
  'page_size'?: (number);
  /**
   * next_page_token of the previous page; empty for the first page.
   */
  'page_token'?: (string);
}

export interface ListDriftReportsRequest__Output {
  'model_name': (string);
  /**
   * Empty lists every version.
   */
  'model_version': (string);
  /**
   * Only reports containing this feature; empty for all.
   */
  'feature': (string);
  /**
   * Window bounds; unset means unbounded.
   */
  'since': (_google_protobuf_Timestamp__Output | null);
  'until': (_google_protobuf_Timestamp__Output | null);
  'drifted_only': (boolean);
  /**
   * At most this many reports; 0 selects the server default (50).
   */
  'page_size': (number);
  /**
   * next_page_token of the previous page; empty for the first page.
   */
  'page_token': (string);
}
