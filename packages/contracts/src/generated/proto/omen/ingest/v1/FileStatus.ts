// Original file: protos/omen/ingest/v1/ingest.proto

export const FileStatus = {
  FILE_STATUS_UNSPECIFIED: 'FILE_STATUS_UNSPECIFIED',
  FILE_STATUS_ADDED: 'FILE_STATUS_ADDED',
  FILE_STATUS_MODIFIED: 'FILE_STATUS_MODIFIED',
  FILE_STATUS_DELETED: 'FILE_STATUS_DELETED',
  FILE_STATUS_RENAMED: 'FILE_STATUS_RENAMED',
  FILE_STATUS_COPIED: 'FILE_STATUS_COPIED',
} as const;

export type FileStatus =
  | 'FILE_STATUS_UNSPECIFIED'
  | 0
  | 'FILE_STATUS_ADDED'
  | 1
  | 'FILE_STATUS_MODIFIED'
  | 2
  | 'FILE_STATUS_DELETED'
  | 3
  | 'FILE_STATUS_RENAMED'
  | 4
  | 'FILE_STATUS_COPIED'
  | 5

export type FileStatus__Output = typeof FileStatus[keyof typeof FileStatus]
