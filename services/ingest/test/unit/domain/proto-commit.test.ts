// Regression: an empty hunk list in a gRPC commit was always read as "line counts only" (null),
// so an empty file added or a pure rename left the featurizer without the file's blame for the
// rest of the history: express through ingest gave 952 SZZ bug-inducing commits where the same
// hunks in process give 1,053.
import { describe, expect, it } from 'vitest';
import { commitFromProto } from '../../../src/domain/proto-commit.ts';

const sha = 'a'.repeat(40);
const hunk = { old_start: 0, old_lines: 0, new_start: 1, new_lines: 1, deleted_lines: [], added_lines: [{ number: 1, content: 'x' }] };

function withFiles(files: unknown[]) {
  const r = commitFromProto(
    { repo_id: 'git:acme/app', repo_name: 'acme/app', sha, parents: [], author: 'a@example.com', committer: 'a@example.com', commit_time: { seconds: 1_600_000_000, nanos: 0 }, author_time: { seconds: 1_600_000_000, nanos: 0 }, message: 'm', files },
    'k'.repeat(32),
    'backfill',
  );
  if (!r.ok) throw new Error(`${r.field}: ${r.reason}`);
  return r.event.files.map((f) => f.hunks);
}

describe('hunks of a gRPC commit', () => {
  it('an empty list with no lines changed is a change without hunks ([]): an empty file, a pure rename', () => {
    expect(
      withFiles([
        { path: 'empty.js', status: 'FILE_STATUS_ADDED', lines_added: 0, lines_deleted: 0, binary: false, hunks: [] },
        { path: 'b.js', old_path: 'a.js', status: 'FILE_STATUS_RENAMED', lines_added: 0, lines_deleted: 0, binary: false, hunks: [] },
      ]),
    ).toEqual([[], []]);
  });

  it('an empty list with lines changed is line counts only (null); hunks are kept; binary files have none', () => {
    expect(
      withFiles([
        { path: 'a.js', status: 'FILE_STATUS_MODIFIED', lines_added: 3, lines_deleted: 1, binary: false, hunks: [] },
        { path: 'c.js', status: 'FILE_STATUS_ADDED', lines_added: 1, lines_deleted: 0, binary: false, hunks: [hunk] },
        { path: 'logo.png', status: 'FILE_STATUS_ADDED', lines_added: 0, lines_deleted: 0, binary: true, hunks: [] },
      ]),
    ).toEqual([null, [hunk], null]);
  });
});
