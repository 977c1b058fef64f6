// Original file: protos/omen/ingest/v1/ingest.proto

import type { FileStatus as _omen_ingest_v1_FileStatus, FileStatus__Output as _omen_ingest_v1_FileStatus__Output } from '../../../omen/ingest/v1/FileStatus.ts';
import type { Hunk as _omen_ingest_v1_Hunk, Hunk__Output as _omen_ingest_v1_Hunk__Output } from '../../../omen/ingest/v1/Hunk.ts';

/**
 * One file a commit changed against its first parent.
 */
export interface FileChange {
  /**
   * Path after the commit, relative to the repository root, '/'-separated.
   */
  'path'?: (string);
  /**
   * Path before the commit for renames and copies.
   */
  'old_path'?: (string);
  'status'?: (_omen_ingest_v1_FileStatus);
  'lines_added'?: (number);
  'lines_deleted'?: (number);
  'binary'?: (boolean);
  /**
   * Diff hunks when the client has file contents; empty when only line counts are known.
   */
  'hunks'?: (_omen_ingest_v1_Hunk)[];
  '_old_path'?: "old_path";
}

/**
 * One file a commit changed against its first parent.
 */
export interface FileChange__Output {
  /**
   * Path after the commit, relative to the repository root, '/'-separated.
   */
  'path': (string);
  /**
   * Path before the commit for renames and copies.
   */
  'old_path'?: (string);
  'status': (_omen_ingest_v1_FileStatus__Output);
  'lines_added': (number);
  'lines_deleted': (number);
  'binary': (boolean);
  /**
   * Diff hunks when the client has file contents; empty when only line counts are known.
   */
  'hunks': (_omen_ingest_v1_Hunk__Output)[];
  '_old_path'?: "old_path";
}
