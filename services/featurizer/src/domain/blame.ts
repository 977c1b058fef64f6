// Line-level blame kept from zero-context hunks, the state SZZ needs: which commit last touched
// each line of each file. Each version of a file is built forward from the version its commit's
// first parent saw (dag.ts) and the commit's hunks, and a merge passes the lines it changed
// against its first parent on to its other parents the way git blame does (passOtherParents),
// so it is `git blame` of the commit as long as every change to the file came with hunks; a
// numstat-only change, a binary change or a hunk that does not fit the known text makes the
// file's blame unknown until it is added again.

import type { FileChange, Hunk } from './commit.ts';
import type { FileLines } from './history.ts';
import { isBlameworthy } from '@omen/features/change';

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

export function buildFileLines(origins: readonly string[], text: readonly string[]): FileLines {
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

/**
 * Each hunk with the number of old-file lines in front of it (unified-diff numbering: "-k,0"
 * means "after line k"). The commit schema lets a producer send 0 as the start of an empty side
 * ("0 when old_lines is 0"), and ingest does: that loses where an insertion goes in the old file,
 * but the new-file start and the hunks before it (producers list them in file order) still tell.
 * Reading a 0 as "before line 1" put every inserted line at the top of the file, so later
 * deletions no longer matched the known text and SZZ lost most of its blame on real histories.
 */
function positioned(hunks: readonly Hunk[]): { h: Hunk; before: number }[] {
  let shift = 0; // new-file lines minus old-file lines of the hunks so far
  return hunks.map((h) => {
    let before: number;
    if (h.old_lines > 0) before = h.old_start - 1;
    else if (h.old_start > 0 || h.new_lines === 0) before = h.old_start;
    else before = h.new_start - 1 - shift;
    shift += h.new_lines - h.old_lines;
    return { h, before };
  });
}

/**
 * Applies one file change's hunks to the file's blame. `before` is the blame of the path the
 * change starts from (the old path of a rename or copy); undefined when unknown or new.
 */
export function applyHunks(
  before: FileLines | undefined,
  change: FileChange,
  sha: string,
  isNewFile: boolean,
): BlameOutcome {
  if (change.binary) return { kind: 'unknown', reason: 'binary file' };
  if (change.hunks === null) return { kind: 'unknown', reason: 'no hunks (numstat only)' };
  if (!before && !isNewFile) return { kind: 'unknown', reason: 'no blame for the file before this change' };
  const oldOrigins = before ? before.origin.map((i) => before.shas[i] as string) : [];
  const oldText = before ? before.text : [];
  const hunks = positioned(change.hunks).sort((a, b) => a.before - b.before);
  const origins: string[] = [];
  const text: string[] = [];
  const deleted: DeletedLine[] = [];
  let pos = 0;
  for (const { h, before: start } of hunks) {
    if (start < pos || start + h.old_lines > oldText.length) {
      return {
        kind: 'unknown',
        reason: `hunk -${h.old_start},${h.old_lines} does not fit a ${oldText.length}-line file`,
      };
    }
    if (h.deleted_lines.length !== h.old_lines || h.added_lines.length !== h.new_lines) {
      return {
        kind: 'unknown',
        reason: `hunk -${h.old_start},${h.old_lines} +${h.new_start},${h.new_lines} lists a different number of lines`,
      };
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
    // A pure deletion may come with new_start 0 (the schema's "0 when new_lines is 0").
    if (h.new_start !== expectedNewStart && !(h.new_lines === 0 && h.new_start === 0)) {
      return {
        kind: 'unknown',
        reason: `hunk +${h.new_start},${h.new_lines} starts at new line ${expectedNewStart} by the known text`,
      };
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

/** Per line, the sha of the commit that last touched it. */
export function originsOf(lines: FileLines): string[] {
  return lines.origin.map((i) => lines.shas[i] as string);
}

/**
 * For each line of `b`, the line of `a` it is kept from (-1: inserted), by a shortest edit
 * script (Myers 1986) after stripping the common head and tail. Own code rather than a diff
 * library: what is needed is the line-to-line map on whole files, and the greedy O((N+M)D) walk
 * is a few lines. Returns null when the files differ in more than `maxEdits` lines, so one
 * rewritten file cannot stall a partition (the trace costs O(maxEdits²) memory).
 */
export function keptLines(a: readonly string[], b: readonly string[], maxEdits = 2000): Int32Array | null {
  const map = new Int32Array(b.length).fill(-1);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) {
    map[head] = head;
    head++;
  }
  let tailA = a.length;
  let tailB = b.length;
  while (tailA > head && tailB > head && a[tailA - 1] === b[tailB - 1]) {
    tailA--;
    tailB--;
    map[tailB] = tailA;
  }
  const n = tailA - head;
  const m = tailB - head;
  if (n === 0 || m === 0) return map;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[head + x] === b[head + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return null;
  // Walk the trace back from (n, m), recording the diagonal (kept) steps.
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && prev[offset + k - 1]! < prev[offset + k + 1]!);
    const pk = down ? k + 1 : k - 1;
    const px = prev[offset + pk]!;
    const py = px - pk;
    const sx = down ? px : px + 1;
    while (x > sx && y > sx - k) {
      x--;
      y--;
      map[head + y] = head + x;
    }
    x = px;
    y = py;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    map[head + y] = head + x;
  }
  return map;
}

/**
 * A merge's blame of one file, after its first parent's pass (`afterFirst`, built by applyHunks:
 * the lines it changed against the first parent are its own): git blame's pass to the other
 * parents, in order. A parent whose file is the merge's file exactly takes the whole file (git
 * checks that before any diff); otherwise each line the merge still owns and that a parent's
 * file keeps unchanged (by the diff parent → merge) is that parent's line, with its origin. A
 * parent whose file equals an earlier parent's is skipped, as git does. `others` are the other
 * parents' versions of the file (null: the parent has no such file); null when the diff is too
 * large to follow.
 */
export function passOtherParents(
  afterFirst: FileLines,
  sha: string,
  first: FileLines | undefined,
  others: readonly (FileLines | null)[],
): FileLines | null {
  const text = afterFirst.text;
  const same = (x: readonly string[]): boolean => x.length === text.length && x.every((l, i) => l === text[i]);
  const seen: (readonly string[])[] = first ? [first.text] : [];
  for (const o of others) if (o && same(o.text)) return buildFileLines(originsOf(o), text);
  const origins = originsOf(afterFirst);
  for (const o of others) {
    if (!o) continue;
    if (seen.some((t) => t.length === o.text.length && t.every((l, i) => l === o.text[i]))) continue;
    seen.push(o.text);
    if (!origins.some((x) => x === sha)) break;
    const map = keptLines(o.text, text);
    if (map === null) return null;
    const from = originsOf(o);
    for (let j = 0; j < origins.length; j++) {
      const i = map[j]!;
      if (origins[j] === sha && i >= 0) origins[j] = from[i] as string;
    }
  }
  return buildFileLines(origins, text);
}

// The rule is shared with the security scan and duplicate finding of @omen/features/change.
export { isBlameworthy };

/**
 * Files a commit may touch before SZZ treats it as a bulk change (an import, a mass rename or
 * reformat, regenerated docs) rather than a change a developer reviewed line by line.
 */
export const LARGE_COMMIT_FILES = 100;

const squeeze = (line: string): string => line.replace(/\s+/g, '');

/** The change's added lines without whitespace, to tell a re-indented line from a changed one. */
export function normalizedLines(hunks: readonly Hunk[]): Set<string> {
  return new Set(hunks.flatMap((h) => h.added_lines.map((l) => squeeze(l.content))));
}

/**
 * Whether a deleted line comes back in the same file with only its whitespace changed: a fix that
 * wraps code in a new block re-indents it, and the re-indented lines were not the bug.
 */
export function isReformatted(content: string, added: ReadonlySet<string>): boolean {
  return added.has(squeeze(content));
}

/**
 * SZZ candidates of a file change: origin sha → deleted or changed lines blamed on it, leaving
 * out cosmetic lines (isBlameworthy) and lines that come back re-indented (`added`:
 * normalizedLines of the same change).
 */
export function blameCandidates(
  deleted: readonly DeletedLine[],
  added: ReadonlySet<string> = new Set(),
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of deleted) {
    if (!isBlameworthy(d.content) || isReformatted(d.content, added)) continue;
    out[d.origin] = (out[d.origin] ?? 0) + 1;
  }
  return out;
}

/** The file's text, for parsing: lines joined with '\n'. */
export function fileText(lines: FileLines): string {
  return lines.text.join('\n');
}
