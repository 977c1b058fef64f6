// Parses `git diff -U0` output into the contract's FileChange shape, for tests that check the
// forward blame against real git. (Producers of scm.commits.v1 with a clone do the same.)
import type { FileChange, Hunk } from '../../src/domain/commit.ts';

export function parseUnifiedDiff(diff: string): FileChange[] {
  const files: FileChange[] = [];
  let cur: FileChange | undefined;
  let hunk: Hunk | undefined;
  let oldNo = 0;
  let newNo = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const m = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
      cur = { path: m?.[2] ?? '', old_path: null, status: 'modified', lines_added: 0, lines_deleted: 0, binary: false, hunks: [] };
      files.push(cur);
      hunk = undefined;
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('new file mode')) cur.status = 'added';
    else if (line.startsWith('deleted file mode')) cur.status = 'deleted';
    else if (line.startsWith('rename from ')) {
      cur.old_path = line.slice('rename from '.length);
      cur.status = 'renamed';
    } else if (line.startsWith('rename to ')) cur.path = line.slice('rename to '.length);
    else if (line.startsWith('Binary files')) {
      cur.binary = true;
      cur.hunks = null;
    } else if (line.startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) throw new Error(`bad hunk header: ${line}`);
      hunk = {
        old_start: Number(m[1]),
        old_lines: m[2] === undefined ? 1 : Number(m[2]),
        new_start: Number(m[3]),
        new_lines: m[4] === undefined ? 1 : Number(m[4]),
        deleted_lines: [],
        added_lines: [],
      };
      (cur.hunks as Hunk[]).push(hunk);
      oldNo = hunk.old_start;
      newNo = hunk.new_start;
    } else if (hunk && line.startsWith('-') && !line.startsWith('--- ')) {
      (hunk.deleted_lines as { number: number; content: string }[]).push({ number: oldNo++, content: line.slice(1) });
      cur.lines_deleted += 1;
    } else if (hunk && line.startsWith('+') && !line.startsWith('+++ ')) {
      (hunk.added_lines as { number: number; content: string }[]).push({ number: newNo++, content: line.slice(1) });
      cur.lines_added += 1;
    }
  }
  // As the commit schema says and ingest sends: the start of an empty side is 0 ("0 when
  // old_lines is 0"), not git's "after line k". The domain tests go through that case too.
  for (const f of files) {
    if (f.hunks) f.hunks = f.hunks.map((h) => ({ ...h, old_start: h.old_lines === 0 ? 0 : h.old_start, new_start: h.new_lines === 0 ? 0 : h.new_start }));
  }
  return files;
}
