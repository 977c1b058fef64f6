import type { FileChange, Hunk } from './events.ts';

const hunkHeader = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Parses the hunks of one file's unified diff (any amount of context) into zero-context hunks:
 * each run of consecutive removed/added lines becomes one hunk with numbered lines, which is what
 * SZZ needs to blame the removed lines in the parent. Lines before the first `@@` (file headers)
 * are skipped; `\ No newline at end of file` markers are ignored.
 *
 * Per the schema, `old_start` is 0 when the hunk removes nothing and `new_start` is 0 when it
 * adds nothing.
 */
export function parseHunks(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  let current: Hunk | undefined;

  const close = (): void => {
    if (!current) return;
    current.old_lines = current.deleted_lines.length;
    current.new_lines = current.added_lines.length;
    current.old_start = current.old_lines === 0 ? 0 : (current.deleted_lines[0]?.number ?? 0);
    current.new_start = current.new_lines === 0 ? 0 : (current.added_lines[0]?.number ?? 0);
    hunks.push(current);
    current = undefined;
  };
  const open = (): Hunk => {
    current ??= { old_start: 0, old_lines: 0, new_start: 0, new_lines: 0, deleted_lines: [], added_lines: [] };
    return current;
  };

  for (const raw of diff.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const header = hunkHeader.exec(line);
    if (header) {
      close();
      oldLine = Number(header[1]);
      newLine = Number(header[3]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    const tag = line[0];
    if (tag === '-') {
      open().deleted_lines.push({ number: oldLine++, content: line.slice(1) });
    } else if (tag === '+') {
      open().added_lines.push({ number: newLine++, content: line.slice(1) });
    } else if (tag === ' ' || line === '') {
      // An empty line is a context line whose leading space was stripped by some tool (or the
      // empty string after the final newline, where counting it changes nothing).
      close();
      oldLine++;
      newLine++;
    } else if (tag === '\\') {
      // "\ No newline at end of file": describes the previous line, numbers nothing.
    } else {
      // Anything else ends this file's hunks (the next file's header in a multi-file diff).
      close();
      inHunk = false;
    }
  }
  close();
  return hunks;
}

/** Lines added and deleted according to parsed hunks. */
export function countLines(hunks: readonly Hunk[]): { added: number; deleted: number } {
  let added = 0;
  let deleted = 0;
  for (const h of hunks) {
    added += h.added_lines.length;
    deleted += h.deleted_lines.length;
  }
  return { added, deleted };
}

function hunkBytes(hunks: readonly Hunk[] | null): number {
  if (!hunks) return 0;
  let n = 0;
  for (const h of hunks) {
    for (const l of h.deleted_lines) n += l.content.length + 8;
    for (const l of h.added_lines) n += l.content.length + 8;
  }
  return n;
}

/**
 * Keeps one commit record under the broker's message size: when all hunks together exceed
 * `maxBytes`, the largest files lose their hunks (set to null, line counts kept) until they fit.
 * A vendored library or a generated file is then a count, not 5 MB of text.
 */
export function capHunks(files: FileChange[], maxBytes: number): FileChange[] {
  const sizes = files.map((f) => hunkBytes(f.hunks));
  let total = sizes.reduce((a, b) => a + b, 0);
  if (total <= maxBytes) return files;
  const order = sizes.map((size, i) => ({ size, i })).sort((a, b) => b.size - a.size);
  const out = files.slice();
  for (const { size, i } of order) {
    if (total <= maxBytes) break;
    const f = out[i];
    if (!f || size === 0) continue;
    out[i] = { ...f, hunks: null };
    total -= size;
  }
  return out;
}
