// Original file: protos/omen/ingest/v1/ingest.proto


/**
 * A line of a diff with its 1-based line number (old file for deleted, new file for added lines).
 */
export interface DiffLine {
  'number'?: (number);
  'content'?: (string);
}

/**
 * A line of a diff with its 1-based line number (old file for deleted, new file for added lines).
 */
export interface DiffLine__Output {
  'number': (number);
  'content': (string);
}
