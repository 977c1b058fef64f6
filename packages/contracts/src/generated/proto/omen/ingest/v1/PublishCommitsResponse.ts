// Original file: protos/omen/ingest/v1/ingest.proto

import type { PublishResult as _omen_ingest_v1_PublishResult, PublishResult__Output as _omen_ingest_v1_PublishResult__Output } from '../../../omen/ingest/v1/PublishResult.ts';

export interface PublishCommitsResponse {
  'results'?: (_omen_ingest_v1_PublishResult)[];
  'accepted'?: (number);
  'rejected'?: (number);
}

export interface PublishCommitsResponse__Output {
  'results': (_omen_ingest_v1_PublishResult__Output)[];
  'accepted': (number);
  'rejected': (number);
}
