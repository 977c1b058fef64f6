// Zero-context hunks as a git-mirror producer sends them (scm.commits.v1), for tests that
// write small histories by hand.
import type { Hunk } from '../../src/domain/commit.ts';

/** A hunk replacing `deleted` (from old line `oldStart`) with `added` (from new line `newStart`). */
export function hunk(oldStart: number, deleted: string[], newStart: number, added: string[]): Hunk {
  return {
    old_start: oldStart,
    old_lines: deleted.length,
    new_start: newStart,
    new_lines: added.length,
    deleted_lines: deleted.map((content, i) => ({ number: oldStart + i, content })),
    added_lines: added.map((content, i) => ({ number: newStart + i, content })),
  };
}
