// Line-level blame kept from zero-context hunks, the state SZZ needs: which commit last touched
// each line of each file. Built forward from the hunks of every change, so it is exactly
// `git blame` of the first-parent history as long as every change to the file came with
// hunks; a numstat-only change, a binary change or a hunk that does not fit the known text
// makes the file's blame unknown until it is added again.

import type { FileChange, Hunk } from './commit.ts';
import type { FileLines } from './history.ts';

export interface DeletedLine {
  /** 1-based line number in the old file. */
  number: number;
  content: string;
  /** Sha of the commit that last touched the line before this change. */
  origin: string;
}

export type BlameOutcome =
  /** New blame after the change, and the old lines it removed with their origins. */
  | { kind: 'applied'; after: FileLines; deleted: DeletedLine[] }
  /** Not trackable (no hunks, binary, no prior blame, or hunks contradict it): forget the file. */
  | { kind: 'unknown'; reason: string };

function buildFileLines(origins: readonly string[], text: readonly string[]): FileLines {
  const shas: string[] = [];
  const index = new Map<string, number>();
  const origin = origins.map((sha) => {
    let i = index.get(sha);
    if (i === undefined) {
      i = shas.length;
      shas.push(sha);
      index.set(sha, i);
    }
    return i;
  });
  return { shas, origin, text: [...text] };
}

/** Lines of the old file a hunk leaves in front of it (unified-diff numbering). */
function linesBefore(h: Hunk): number {
  // "-k,0" means "after line k": no old line is covered, k lines precede the insertion.
  return h.old_lines === 0 ? h.old_start : h.old_start - 1;
}

/**
 * Applies one file change's hunks to the file's blame. `before` is the blame of the path the
 * change starts from (the old path of a rename or copy); undefined when unknown or new.
 */
export function applyHunks(before: FileLines | undefined, change: FileChange, sha: string, isNewFile: boolean): BlameOutcome {
  if (change.binary) return { kind: 'unknown', reason: 'binary file' };
  if (change.hunks === null) return { kind: 'unknown', reason: 'no hunks (numstat only)' };
  if (!before && !isNewFile) return { kind: 'unknown', reason: 'no blame for the file before this change' };
  const oldOrigins = before ? before.origin.map((i) => before.shas[i] as string) : [];
  const oldText = before ? before.text : [];
  const hunks = [...change.hunks].sort((a, b) => linesBefore(a) - linesBefore(b));
  const origins: string[] = [];
  const text: string[] = [];
  const deleted: DeletedLine[] = [];
  let pos = 0;
  for (const h of hunks) {
    const start = linesBefore(h);
    if (start < pos || start + h.old_lines > oldText.length) {
      return { kind: 'unknown', reason: `hunk -${h.old_start},${h.old_lines} does not fit a ${oldText.length}-line file` };
    }
    if (h.deleted_lines.length !== h.old_lines || h.added_lines.length !== h.new_lines) {
      return { kind: 'unknown', reason: `hunk -${h.old_start},${h.old_lines} +${h.new_start},${h.new_lines} lists a different number of lines` };
    }
    for (let i = pos; i < start; i++) {
      origins.push(oldOrigins[i] as string);
      text.push(oldText[i] as string);
    }
    for (let i = 0; i < h.old_lines; i++) {
      const line = h.deleted_lines[i]!;
      const at = start + i;
      if (line.number !== at + 1 || line.content !== oldText[at]) {
        return { kind: 'unknown', reason: `deleted line ${line.number} does not match the known text of the file` };
      }
      deleted.push({ number: line.number, content: line.content, origin: oldOrigins[at] as string });
    }
    const expectedNewStart = h.new_lines === 0 ? origins.length : origins.length + 1;
    if (h.new_start !== expectedNewStart) {
      return { kind: 'unknown', reason: `hunk +${h.new_start},${h.new_lines} starts at new line ${expectedNewStart} by the known text` };
    }
    for (const line of h.added_lines) {
      origins.push(sha);
      text.push(line.content);
    }
    pos = start + h.old_lines;
  }
  for (let i = pos; i < oldText.length; i++) {
    origins.push(oldOrigins[i] as string);
    text.push(oldText[i] as string);
  }
  return { kind: 'applied', after: buildFileLines(origins, text), deleted };
}

const COMMENT_ONLY = /^\s*(?:\/\/|#(?!include|define|if|endif|else|pragma|import)|\/\*|\*|\*\/|--(?:\s|$)|<!--|;)/;

/**
 * Whether SZZ should blame a deleted line. Blank lines and comment-only lines are cosmetic:
 * removing them cannot fix a bug, and blaming them would implicate whoever wrote the comment
 * (the standard refinement of SZZ, e.g. Kim et al. 2006).
 */
export function isBlameworthy(content: string): boolean {
  const trimmed = content.trim();
  if (trimmed === '') return false;
  if (/^[{}()[\];,]+$/.test(trimmed)) return false;
  return !COMMENT_ONLY.test(content);
}

/** SZZ candidates of a change: origin sha → deleted or changed lines blamed on it. */
export function blameCandidates(deleted: readonly DeletedLine[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of deleted) {
    if (!isBlameworthy(d.content)) continue;
    out[d.origin] = (out[d.origin] ?? 0) + 1;
  }
  return out;
}

/** The file's text, for parsing: lines joined with '\n'. */
export function fileText(lines: FileLines): string {
  return lines.text.join('\n');
}
