// Kamei et al.'s 14 just-in-time change metrics as a pure function of (history, commit).
// Definitions: @omen/features jitChangeMetricsV1 (each description is the contract this file
// implements) and ../shared/data/jit/README.md.

import type { CommitInput, FileChange } from './commit.ts';
import { isMerge } from './commit.ts';
import type { DeveloperHistory, FileHistory, HistoryDelta, HistoryView, JitValues } from './history.ts';
import { changeShapeMetrics, subsystemOf } from '@omen/features/change';

export const DAY_MS = 86_400_000;
/** A Julian year, so leap years do not shift REXP's year boundaries. */
export const YEAR_MS = 365.25 * DAY_MS;

/** How a commit changed one path, resolved against the history. */
export type TouchKind = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied';

export interface Touch {
  path: string;
  /** What the change did to the path, explicit status first: what blame and code metrics follow. */
  kind: TouchKind;
  /** Source path of a rename or copy. */
  fromPath: string | null;
  added: number;
  deleted: number;
  /**
   * History the file had before this commit (under `fromPath` for renames and copies), by the
   * numstat rule (see resolveTouches): what the change metrics read.
   */
  before: FileHistory | undefined;
  /** Whether, by the numstat rule, this change ends the path's history (a deletion). */
  ends: boolean;
}

function mergeDuplicatePaths(files: readonly FileChange[]): FileChange[] {
  const byPath = new Map<string, FileChange>();
  for (const f of files) {
    const seen = byPath.get(f.path);
    // A path listed twice (some API payloads split a file's hunks) is one touched file.
    if (seen)
      byPath.set(f.path, {
        ...seen,
        lines_added: seen.lines_added + f.lines_added,
        lines_deleted: seen.lines_deleted + f.lines_deleted,
      });
    else byPath.set(f.path, f);
  }
  return [...byPath.values()];
}

/**
 * Resolves each file change against the history.
 *
 * `kind` (blame, code metrics): an explicit status wins; a change with an old path different
 * from its path is a rename unless marked copied; otherwise a path the history does not know is
 * added, and with status `unknown` a numstat deletion (below) is a deletion.
 *
 * `before` and `ends` (the change metrics) follow only what every source carries, numstat and
 * renames, so a commit gets one answer whether it came with statuses (`--git`, webhooks) or
 * without (`--jsonl`): a path's history follows renames and ends when a change adds nothing and
 * deletes every line the history knows (a numstat deletion); an explicit `added` or `deleted`
 * is not used. Trusting the status instead made 529 of express's 6,158 commits differ between
 * its git history and its numstat export (a deletion whose count differs from the lines the
 * history knows, after merges resolved conflicts, keeps the history under the numstat rule).
 */
export function resolveTouches(view: HistoryView, commit: CommitInput): Touch[] {
  return mergeDuplicatePaths(commit.files).map((f): Touch => {
    const base = { path: f.path, added: f.lines_added, deleted: f.lines_deleted };
    const moved = f.old_path !== null && f.old_path !== f.path;
    if (moved) {
      const kind = f.status === 'copied' ? 'copied' : 'renamed';
      return { ...base, kind, fromPath: f.old_path, before: view.file(f.old_path as string), ends: false };
    }
    const before = view.file(f.path);
    const ends = before !== undefined && before.lines > 0 && f.lines_added === 0 && f.lines_deleted === before.lines;
    const kind: TouchKind =
      f.status === 'added'
        ? 'added'
        : f.status === 'deleted'
          ? 'deleted'
          : f.status === 'unknown' && ends
            ? 'deleted'
            : before === undefined
              ? 'added'
              : 'modified';
    return { ...base, kind, fromPath: null, before, ends };
  });
}

// Shared with the diff metrics inference computes (@omen/features/change).
export { changeEntropy } from '@omen/features/change';

/** Index of the first element of ascending `xs` greater than `x`. */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Σ 1/(n+1) over prior commit times, n = whole years between each and `now` (at least 0).
 * `times` is ascending, so each year's commits are one slice found by binary search: the cost
 * grows with the years of history, not with the author's commits.
 */
export function recentExperience(times: readonly number[], now: number): number {
  let r = 0;
  let end = times.length; // times[end..] are in years already counted (or in the future: n = 0)
  for (let n = 0; end > 0; n++) {
    const start = upperBound(times, now - (n + 1) * YEAR_MS);
    // floor((now - t) / Y) = n  ⟺  now - (n+1)Y < t <= now - nY; n = 0 also takes t > now.
    r += (end - start) / (n + 1);
    end = start;
  }
  return r;
}

/** `times` with `t` inserted in order (a new array). */
function insertSorted(times: readonly number[], t: number): number[] {
  const at = upperBound(times, t);
  return [...times.slice(0, at), t, ...times.slice(at)];
}

/** Key of a set of subsystems in DeveloperHistory.subsystemSets. */
export function subsystemSetKey(subsystems: Iterable<string>): string {
  return [...new Set(subsystems)].sort().join('/');
}

function subsystemExperience(dev: DeveloperHistory | undefined, subsystems: ReadonlySet<string>): number {
  if (!dev || subsystems.size === 0) return 0;
  let n = 0;
  for (const [key, count] of Object.entries(dev.subsystemSets)) {
    if (key.split('/').some((s) => subsystems.has(s))) n += count;
  }
  return n;
}

/**
 * The change metrics of `commit` against the history in `view`. A merge counts no files: its
 * changes arrived through the commits it merges (which are in the history), and numstat
 * sources list no files for merges (`git log --numstat` without `-m`), so counting its diff
 * against the first parent would give it a second answer; see historyDelta.
 */
export function changeMetrics(view: HistoryView, commit: CommitInput, allTouches: readonly Touch[]): JitValues {
  const t = commit.commit_time;
  const touches = isMerge(commit) ? [] : allTouches;
  const subsystems = new Set(touches.map((x) => subsystemOf(x.path)));
  const authors = new Set<string>();
  const changes = new Set<number>();
  let lt = 0;
  let ageSum = 0;
  let aged = 0;
  for (const x of touches) {
    if (!x.before) continue;
    lt += Math.max(0, x.before.lines);
    for (const a of x.before.authors) authors.add(a);
    for (const c of x.before.changes) changes.add(c);
    ageSum += Math.max(0, t - x.before.lastChangedAt) / DAY_MS;
    aged += 1;
  }
  const dev = view.developer(commit.author_id);
  // The shape of the change and FIX: the one function inference also scores diffs with.
  const shape = changeShapeMetrics(
    touches.map((x) => ({ path: x.path, linesAdded: x.added, linesDeleted: x.deleted })),
    commit.message,
  );
  return {
    ns: shape.ns,
    nd: shape.nd,
    nf: shape.nf,
    entropy: shape.entropy,
    la: shape.la,
    ld: shape.ld,
    lt,
    fix: shape.fix,
    ndev: authors.size,
    age: aged === 0 ? 0 : ageSum / aged,
    nuc: changes.size,
    exp: dev ? dev.times.length : 0,
    rexp: dev ? recentExperience(dev.times, t) : 0,
    sexp: subsystemExperience(dev, subsystems),
  };
}

/** What `commit` adds to the history (nothing for a merge). */
export function historyDelta(view: HistoryView, commit: CommitInput, touches: readonly Touch[]): HistoryDelta {
  const files = new Map<string, FileHistory | null>();
  const developers = new Map<string, DeveloperHistory>();
  if (isMerge(commit)) return { seq: view.seq, files, developers };
  const seq = view.seq + 1;
  const t = commit.commit_time;
  // Removals first, so a path renamed away and re-created in the same commit ends up present.
  for (const x of touches) {
    if (x.kind === 'renamed' && x.fromPath !== null) files.set(x.fromPath, null);
    if (x.ends) files.set(x.path, null);
  }
  for (const x of touches) {
    if (x.ends) continue;
    const b = x.before;
    files.set(x.path, {
      lines: (b?.lines ?? 0) + x.added - x.deleted,
      lastChangedAt: t,
      authors:
        b === undefined
          ? [commit.author_id]
          : b.authors.includes(commit.author_id)
            ? [...b.authors]
            : [...b.authors, commit.author_id],
      changes: b === undefined ? [seq] : [...b.changes, seq],
    });
  }
  const dev = view.developer(commit.author_id);
  const subsystemSets = { ...(dev?.subsystemSets ?? {}) };
  if (touches.length > 0) {
    const key = subsystemSetKey(touches.map((x) => subsystemOf(x.path)));
    subsystemSets[key] = (subsystemSets[key] ?? 0) + 1;
  }
  developers.set(commit.author_id, { times: insertSorted(dev?.times ?? [], t), subsystemSets });
  return { seq, files, developers };
}

/**
 * One step of the change-metrics state machine: the metrics of `commit` given the history
 * before it, and what it adds to that history. Pure: `view` is not modified.
 */
export function applyCommit(view: HistoryView, commit: CommitInput): { values: JitValues; delta: HistoryDelta } {
  const touches = resolveTouches(view, commit);
  return { values: changeMetrics(view, commit, touches), delta: historyDelta(view, commit, touches) };
}

/** Every path and author a commit's metrics read, so a store can load them in one batch. */
export function historyKeys(commit: CommitInput): { paths: string[]; developers: string[] } {
  const paths = new Set<string>();
  for (const f of commit.files) {
    paths.add(f.path);
    if (f.old_path !== null) paths.add(f.old_path);
  }
  return { paths: [...paths], developers: [commit.author_id] };
}
