// Zero-context hunks as a git-mirror producer sends them (scm.commits.v1), for tests that
// write small histories by hand.
import type { FileChange, Hunk } from '../../src/domain/commit.ts';

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

/** A scm.commits.v1 event of one change to src/x.js, at `time`, as a git-mirror producer sends it. */
export function hunkCommitEvent(
  c: { repo: string; sha: string; parents: string[]; author: string; time: number },
  message: string,
  hunks: Hunk[],
  status: FileChange['status'] = 'modified',
): Record<string, unknown> {
  const added = hunks.reduce((s, h) => s + h.new_lines, 0);
  const deleted = hunks.reduce((s, h) => s + h.old_lines, 0);
  return {
    event_id: `${c.repo}:${c.sha}`,
    event_time: c.time,
    repo_id: c.repo,
    repo_name: c.repo.slice(c.repo.indexOf(':') + 1),
    provider: 'github',
    sha: c.sha,
    parents: c.parents,
    author_id: c.author,
    committer_id: c.author,
    author_time: c.time,
    commit_time: c.time,
    message,
    files: [
      { path: 'src/x.js', old_path: null, status, lines_added: added, lines_deleted: deleted, binary: false, hunks },
    ],
    branch: null,
    source: 'git',
  };
}
