// Original file: protos/omen/ingest/v1/ingest.proto

import type { DiffLine as _omen_ingest_v1_DiffLine, DiffLine__Output as _omen_ingest_v1_DiffLine__Output } from '../../../omen/ingest/v1/DiffLine.ts';

/**
 * One unified-diff hunk with zero context lines.
 */
export interface Hunk {
  'old_start'?: (number);
  'old_lines'?: (number);
  'new_start'?: (number);
  'new_lines'?: (number);
  'deleted_lines'?: (_omen_ingest_v1_DiffLine)[];
  'added_lines'?: (_omen_ingest_v1_DiffLine)[];
}

/**
 * One unified-diff hunk with zero context lines.
 */
export interface Hunk__Output {
  'old_start': (number);
  'old_lines': (number);
  'new_start': (number);
  'new_lines': (number);
  'deleted_lines': (_omen_ingest_v1_DiffLine__Output)[];
  'added_lines': (_omen_ingest_v1_DiffLine__Output)[];
}
