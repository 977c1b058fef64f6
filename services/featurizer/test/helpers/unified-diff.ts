// Parses `git diff` output (any context) into the contract's FileChange shape with zero-context
// hunks, for tests that check the forward blame against real git. Producers of scm.commits.v1
// with a clone do the same: ingest reads `-U3` (its line counts depend on it) and drops the
// context, so a context line here ends the zero-context hunk before it.
import type { FileChange, Hunk } from '../../src/domain/commit.ts';

export function parseUnifiedDiff(diff: string): FileChange[] {
  const files: FileChange[] = [];
  let cur: FileChange | undefined;
  let hunk: Hunk | undefined;
  let oldNo = 0;
  let newNo = 0;
  let inHunk = false;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const m = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
      cur = {
        path: m?.[2] ?? '',
        old_path: null,
        status: 'modified',
        lines_added: 0,
        lines_deleted: 0,
        binary: false,
        hunks: [],
      };
      files.push(cur);
      hunk = undefined;
      inHunk = false;
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
      inHunk = true;
      hunk = undefined;
      oldNo = Number(m[1]);
      newNo = Number(m[3]);
      // "-k,0" / "+k,0": the side starts after line k, so its first line would be k + 1.
      if (m[2] === '0') oldNo += 1;
      if (m[4] === '0') newNo += 1;
    } else if (inHunk && line.startsWith('-') && !line.startsWith('--- ')) {
      hunk ??= openHunk(cur, oldNo, newNo);
      (hunk.deleted_lines as { number: number; content: string }[]).push({ number: oldNo++, content: line.slice(1) });
      cur.lines_deleted += 1;
    } else if (inHunk && line.startsWith('+') && !line.startsWith('+++ ')) {
      hunk ??= openHunk(cur, oldNo, newNo);
      (hunk.added_lines as { number: number; content: string }[]).push({ number: newNo++, content: line.slice(1) });
      cur.lines_added += 1;
    } else if (inHunk && line.startsWith(' ')) {
      hunk = undefined;
      oldNo++;
      newNo++;
    }
  }
  // As the commit schema says and ingest sends: the start of an empty side is 0 ("0 when
  // old_lines is 0"), not git's "after line k". The domain tests go through that case too.
  for (const f of files) {
    if (f.hunks) {
      f.hunks = f.hunks.map((h) => {
        const old_lines = h.deleted_lines.length;
        const new_lines = h.added_lines.length;
        return {
          ...h,
          old_lines,
          new_lines,
          old_start: old_lines === 0 ? 0 : h.deleted_lines[0]!.number,
          new_start: new_lines === 0 ? 0 : h.added_lines[0]!.number,
        };
      });
    }
  }
  return files;
}

function openHunk(file: FileChange, oldNo: number, newNo: number): Hunk {
  const hunk: Hunk = {
    old_start: oldNo,
    old_lines: 0,
    new_start: newNo,
    new_lines: 0,
    deleted_lines: [],
    added_lines: [],
  };
  (file.hunks as Hunk[]).push(hunk);
  return hunk;
}
