// Original file: protos/omen/ingest/v1/ingest.proto

import type { Commit as _omen_ingest_v1_Commit, Commit__Output as _omen_ingest_v1_Commit__Output } from '../../../omen/ingest/v1/Commit.ts';

export interface PublishCommitRequest {
  'commit'?: (_omen_ingest_v1_Commit | null);
}

export interface PublishCommitRequest__Output {
  'commit': (_omen_ingest_v1_Commit__Output | null);
}
