// Duplicated blocks within one change: copy-paste inside a commit, found on the added lines.
// Lines are normalised (whitespace collapsed) and trivial lines (blank, brackets, comments)
// dropped, so re-indented copies still match and a run of closing braces does not.

import { isBlameworthy } from './lines.ts';

/** Window length in normalised lines: shorter runs repeat by chance (imports, getters). */
export const DUPLICATE_WINDOW = 6;

export interface DuplicateStats {
  /** Maximal runs of added lines that repeat a window seen earlier in the change. */
  blocks: number;
  /** Added lines inside those runs. */
  lines: number;
}

/** `runs`: the added lines of each hunk, in order (lines of different hunks are not adjacent). */
export function findDuplicates(runs: readonly (readonly string[])[]): DuplicateStats {
  const firstSeen = new Map<string, string>();
  let blocks = 0;
  let lines = 0;
  runs.forEach((run, r) => {
    const norm = run.filter(isBlameworthy).map((l) => l.trim().replace(/\s+/g, ' '));
    const dup = new Uint8Array(norm.length);
    for (let i = 0; i + DUPLICATE_WINDOW <= norm.length; i++) {
      const key = norm.slice(i, i + DUPLICATE_WINDOW).join('\n');
      const at = `${r}:${i}`;
      const seen = firstSeen.get(key);
      if (seen === undefined) firstSeen.set(key, at);
      else if (seen !== at) dup.fill(1, i, i + DUPLICATE_WINDOW);
    }
    for (let i = 0; i < dup.length; i++) {
      if (!dup[i]) continue;
      lines += 1;
      if (i === 0 || !dup[i - 1]) blocks += 1;
    }
  });
  return { blocks, lines };
}
