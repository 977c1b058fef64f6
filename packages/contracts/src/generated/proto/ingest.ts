import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { Commit as _omen_ingest_v1_Commit, Commit__Output as _omen_ingest_v1_Commit__Output } from './omen/ingest/v1/Commit.ts';
import type { DiffLine as _omen_ingest_v1_DiffLine, DiffLine__Output as _omen_ingest_v1_DiffLine__Output } from './omen/ingest/v1/DiffLine.ts';
import type { FileChange as _omen_ingest_v1_FileChange, FileChange__Output as _omen_ingest_v1_FileChange__Output } from './omen/ingest/v1/FileChange.ts';
import type { Hunk as _omen_ingest_v1_Hunk, Hunk__Output as _omen_ingest_v1_Hunk__Output } from './omen/ingest/v1/Hunk.ts';
import type { IngestClient as _omen_ingest_v1_IngestClient, IngestDefinition as _omen_ingest_v1_IngestDefinition } from './omen/ingest/v1/Ingest.ts';
import type { PublishCommitRequest as _omen_ingest_v1_PublishCommitRequest, PublishCommitRequest__Output as _omen_ingest_v1_PublishCommitRequest__Output } from './omen/ingest/v1/PublishCommitRequest.ts';
import type { PublishCommitResponse as _omen_ingest_v1_PublishCommitResponse, PublishCommitResponse__Output as _omen_ingest_v1_PublishCommitResponse__Output } from './omen/ingest/v1/PublishCommitResponse.ts';
import type { PublishCommitsResponse as _omen_ingest_v1_PublishCommitsResponse, PublishCommitsResponse__Output as _omen_ingest_v1_PublishCommitsResponse__Output } from './omen/ingest/v1/PublishCommitsResponse.ts';
import type { PublishError as _omen_ingest_v1_PublishError, PublishError__Output as _omen_ingest_v1_PublishError__Output } from './omen/ingest/v1/PublishError.ts';
import type { PublishResult as _omen_ingest_v1_PublishResult, PublishResult__Output as _omen_ingest_v1_PublishResult__Output } from './omen/ingest/v1/PublishResult.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  omen: {
    ingest: {
      v1: {
        Commit: MessageTypeDefinition<_omen_ingest_v1_Commit, _omen_ingest_v1_Commit__Output>
        DiffLine: MessageTypeDefinition<_omen_ingest_v1_DiffLine, _omen_ingest_v1_DiffLine__Output>
        FileChange: MessageTypeDefinition<_omen_ingest_v1_FileChange, _omen_ingest_v1_FileChange__Output>
        FileStatus: EnumTypeDefinition
        Hunk: MessageTypeDefinition<_omen_ingest_v1_Hunk, _omen_ingest_v1_Hunk__Output>
        Ingest: SubtypeConstructor<typeof grpc.Client, _omen_ingest_v1_IngestClient> & { service: _omen_ingest_v1_IngestDefinition }
        PublishCommitRequest: MessageTypeDefinition<_omen_ingest_v1_PublishCommitRequest, _omen_ingest_v1_PublishCommitRequest__Output>
        PublishCommitResponse: MessageTypeDefinition<_omen_ingest_v1_PublishCommitResponse, _omen_ingest_v1_PublishCommitResponse__Output>
        PublishCommitsResponse: MessageTypeDefinition<_omen_ingest_v1_PublishCommitsResponse, _omen_ingest_v1_PublishCommitsResponse__Output>
        PublishError: MessageTypeDefinition<_omen_ingest_v1_PublishError, _omen_ingest_v1_PublishError__Output>
        PublishResult: MessageTypeDefinition<_omen_ingest_v1_PublishResult, _omen_ingest_v1_PublishResult__Output>
        ScmProvider: EnumTypeDefinition
      }
    }
  }
}

