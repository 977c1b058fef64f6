// Original file: protos/omen/ingest/v1/ingest.proto

import type { PublishCommitResponse as _omen_ingest_v1_PublishCommitResponse, PublishCommitResponse__Output as _omen_ingest_v1_PublishCommitResponse__Output } from '../../../omen/ingest/v1/PublishCommitResponse.ts';
import type { PublishError as _omen_ingest_v1_PublishError, PublishError__Output as _omen_ingest_v1_PublishError__Output } from '../../../omen/ingest/v1/PublishError.ts';

export interface PublishResult {
  /**
   * Position of the request message in the stream, from 0.
   */
  'index'?: (number);
  /**
   * Event id when the commit was valid enough to compute it; empty otherwise.
   */
  'event_id'?: (string);
  'ack'?: (_omen_ingest_v1_PublishCommitResponse | null);
  'error'?: (_omen_ingest_v1_PublishError | null);
  'outcome'?: "ack"|"error";
}

export interface PublishResult__Output {
  /**
   * Position of the request message in the stream, from 0.
   */
  'index': (number);
  /**
   * Event id when the commit was valid enough to compute it; empty otherwise.
   */
  'event_id': (string);
  'ack'?: (_omen_ingest_v1_PublishCommitResponse__Output | null);
  'error'?: (_omen_ingest_v1_PublishError__Output | null);
  'outcome'?: "ack"|"error";
}
