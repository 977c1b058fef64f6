// Original file: protos/omen/ingest/v1/ingest.proto

import type { ScmProvider as _omen_ingest_v1_ScmProvider, ScmProvider__Output as _omen_ingest_v1_ScmProvider__Output } from '../../../omen/ingest/v1/ScmProvider.ts';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp.ts';
import type { FileChange as _omen_ingest_v1_FileChange, FileChange__Output as _omen_ingest_v1_FileChange__Output } from '../../../omen/ingest/v1/FileChange.ts';

/**
 * A commit as a client sends it; fields follow the Avro contract omen.scm.v1.Commit.
 */
export interface Commit {
  /**
   * "<provider>:<owner>/<name>", e.g. "github:expressjs/express"; the Kafka key.
   */
  'repo_id'?: (string);
  /**
   * "<owner>/<name>".
   */
  'repo_name'?: (string);
  'provider'?: (_omen_ingest_v1_ScmProvider);
  /**
   * Full lower-case hex sha.
   */
  'sha'?: (string);
  'parents'?: (string)[];
  /**
   * Author identity (e-mail, login or an already pseudonymous id). Ingest publishes only a
   * keyed hash of it, never the value itself.
   */
  'author'?: (string);
  /**
   * Committer identity, treated like author.
   */
  'committer'?: (string);
  'author_time'?: (_google_protobuf_Timestamp | null);
  'commit_time'?: (_google_protobuf_Timestamp | null);
  'message'?: (string);
  'files'?: (_omen_ingest_v1_FileChange)[];
  'branch'?: (string);
  '_branch'?: "branch";
}

/**
 * A commit as a client sends it; fields follow the Avro contract omen.scm.v1.Commit.
 */
export interface Commit__Output {
  /**
   * "<provider>:<owner>/<name>", e.g. "github:expressjs/express"; the Kafka key.
   */
  'repo_id': (string);
  /**
   * "<owner>/<name>".
   */
  'repo_name': (string);
  'provider': (_omen_ingest_v1_ScmProvider__Output);
  /**
   * Full lower-case hex sha.
   */
  'sha': (string);
  'parents': (string)[];
  /**
   * Author identity (e-mail, login or an already pseudonymous id). Ingest publishes only a
   * keyed hash of it, never the value itself.
   */
  'author': (string);
  /**
   * Committer identity, treated like author.
   */
  'committer': (string);
  'author_time': (_google_protobuf_Timestamp__Output | null);
  'commit_time': (_google_protobuf_Timestamp__Output | null);
  'message': (string);
  'files': (_omen_ingest_v1_FileChange__Output)[];
  'branch'?: (string);
  '_branch'?: "branch";
}
