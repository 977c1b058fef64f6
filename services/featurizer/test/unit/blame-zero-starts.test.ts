// Regression: the commit schema lets a producer send 0 as the start of an empty hunk side ("0 when
// old_lines is 0"), and ingest does. SZZ read such an insertion as "before line 1", so the file it
// knew drifted from the real one and later deletions no longer matched: on express.bundle through
// ingest it found 73 bug-inducing commits where git blame's history gives about 1,050.
import { describe, expect, it } from 'vitest';
import { applyHunks, buildFileLines } from '../../src/domain/blame.ts';
import type { FileChange, Hunk } from '../../src/domain/commit.ts';

const base = buildFileLines(['a', 'a', 'a', 'a', 'a'], ['one', 'two', 'three', 'four', 'five']);

function change(hunks: Hunk[]): FileChange {
  return { path: 'f.js', old_path: null, status: 'modified', lines_added: 0, lines_deleted: 0, binary: false, hunks };
}

// After line 2 insert X; replace line 4 by Y; delete line 5 — as git -U0 numbers it.
const gitForm: Hunk[] = [
  {
    old_start: 2,
    old_lines: 0,
    new_start: 3,
    new_lines: 1,
    deleted_lines: [],
    added_lines: [{ number: 3, content: 'X' }],
  },
  {
    old_start: 4,
    old_lines: 1,
    new_start: 5,
    new_lines: 1,
    deleted_lines: [{ number: 4, content: 'four' }],
    added_lines: [{ number: 5, content: 'Y' }],
  },
  {
    old_start: 5,
    old_lines: 1,
    new_start: 5,
    new_lines: 0,
    deleted_lines: [{ number: 5, content: 'five' }],
    added_lines: [],
  },
];
// The same change with the empty sides' starts at 0, as the schema allows and ingest sends.
const zeroForm: Hunk[] = gitForm.map((h) => ({
  ...h,
  old_start: h.old_lines === 0 ? 0 : h.old_start,
  new_start: h.new_lines === 0 ? 0 : h.new_start,
}));

describe('applyHunks with the schema’s zero starts', () => {
  it('places an insertion from its new-file start and the hunks before it, as git numbers it', () => {
    const fromGit = applyHunks(base, change(gitForm), 'b', false);
    const fromZero = applyHunks(base, change(zeroForm), 'b', false);
    expect(fromGit.kind).toBe('applied');
    expect(fromZero).toEqual(fromGit);
    if (fromZero.kind !== 'applied') throw new Error('not applied');
    expect(fromZero.after.text).toEqual(['one', 'two', 'X', 'three', 'Y']);
    expect(fromZero.deleted.map((d) => [d.number, d.content, d.origin])).toEqual([
      [4, 'four', 'a'],
      [5, 'five', 'a'],
    ]);
  });

  it('still refuses an insertion whose new-file start contradicts the known text', () => {
    const wrong = zeroForm.map((h, i) =>
      i === 0 ? { ...h, new_start: 9, added_lines: [{ number: 9, content: 'X' }] } : h,
    );
    expect(applyHunks(base, change(wrong), 'b', false).kind).toBe('unknown');
  });
});
