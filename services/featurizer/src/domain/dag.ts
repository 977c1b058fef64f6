// Where a commit sits in its repository's commit graph, as far as blame needs it: which version
// of a file a commit sees. Git blame of a file at commit P follows P's history, merges included;
// a single forward blame per path only follows one linear order, and a history with branches
// gives wrong origins (express: 485 merges). So each file keeps its versions (the blame after
// each commit that changed it) and a commit looks up the one its own ancestry sees.
//
// A commit sees, for a path, the version made by its nearest first-parent ancestor (itself
// included) that changed the path against its first parent: a merge that leaves a file as its
// first parent had it does not change it (git blame passes such a file whole to the first parent,
// whose blob it is). First-parent ancestry is kept as chains: a commit continues its first
// parent's chain when it is the first child to arrive, and starts a new chain forked off it
// otherwise. A commit's lineage is its chain up to its depth, then the parent chain up to the
// fork depth, and so on to a root: as many steps as forks on its first-parent path, and the
// whole graph of a repository is one small record (express: one chain per branch).

export interface Chain {
  /** Chain this one forked from; -1 for a root commit or a commit whose parent is unknown. */
  parent: number;
  /** First-parent depth of the commit it forked from; -1 for a root. */
  fork: number;
  /** Depth of its newest commit. */
  last: number;
  /** Stream position (DagRecord.n) of its newest commit. */
  lastN: number;
  /**
   * Its newest commit was merged into another branch (a merge's second or later parent): once
   * quiet for the window, nothing will build on it. A chain that is not merged (the main line
   * during a long branch) keeps its newest versions however long it is quiet.
   */
  merged?: true;
}

/** A repository's first-parent chains and how many commits it has placed. */
export interface DagRecord {
  /** Commits placed so far (merges included); the next one gets position n + 1. */
  n: number;
  chains: Chain[];
  /**
   * Path → stream position from which its versions are compacted again (window after its last
   * change): a file no commit touches again still loses the versions no branch can reach.
   */
  due?: Record<string, number>;
}

/** A commit's place: its chain and first-parent depth (a root has depth 0). */
export interface DagPosition {
  chain: number;
  depth: number;
}

/**
 * One version of a path: made by commit `s` at chain `c`, depth `d`, stream position `n`. Without
 * a `state` its blame is stored (processor: the `blame` record `<s>:<path>`); otherwise the
 * commit left no blame to follow: the path is `gone` (deleted, renamed away), `unknown` (a
 * binary or numstat-only change, hunks that contradict the known text, a merge parent whose
 * blame is unknown), or `pruned` (the retention dropped it, see compactVersions).
 */
export interface FileVersion {
  s: string;
  c: number;
  d: number;
  n: number;
  state?: 'gone' | 'unknown' | 'pruned';
}

/** Most due paths one commit compacts, so a burst of them spreads over several commits. */
export const SWEEP_PER_COMMIT = 16;

/** Paths whose compaction is due at the dag's current position, oldest first (deterministic); at most `limit`. */
export function duePaths(dag: DagRecord, limit = SWEEP_PER_COMMIT): string[] {
  const due = dag.due;
  if (due === undefined) return [];
  // Called for every commit over every scheduled path (thousands on a long history): one pass
  // that allocates only for the paths due, rather than an entry pair per scheduled path.
  const ready: string[] = [];
  for (const path in due) if (due[path]! <= dag.n) ready.push(path);
  if (ready.length === 0) return ready;
  return ready.sort((a, b) => due[a]! - due[b]! || (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit);
}

/** Marks `path` for compaction once `window` more commits have been placed. */
export function scheduleCompaction(dag: DagRecord, path: string, window: number): void {
  (dag.due ??= {})[path] = dag.n + window + 1;
}

export function emptyDag(): DagRecord {
  return { n: 0, chains: [] };
}

/**
 * Places a new commit whose first parent sits at `parent` (undefined: a root, or a parent the
 * state does not know). Mutates `dag` and returns the commit's position.
 */
export function place(dag: DagRecord, parent: DagPosition | undefined): DagPosition {
  dag.n += 1;
  if (parent !== undefined) {
    const chain = dag.chains[parent.chain];
    if (chain !== undefined && chain.last === parent.depth) {
      chain.last = parent.depth + 1;
      chain.lastN = dag.n;
      delete chain.merged;
      return { chain: parent.chain, depth: parent.depth + 1 };
    }
  }
  const depth = parent === undefined ? 0 : parent.depth + 1;
  dag.chains.push({ parent: parent?.chain ?? -1, fork: parent?.depth ?? -1, last: depth, lastN: dag.n });
  return { chain: dag.chains.length - 1, depth };
}

/** A merge took the commit at `pos` as a second or later parent: its chain ends there if it is the newest. */
export function markMerged(dag: DagRecord, pos: DagPosition): void {
  const chain = dag.chains[pos.chain];
  if (chain !== undefined && chain.last === pos.depth) chain.merged = true;
}

/** (chain, deepest depth) segments of a commit's first-parent ancestry, nearest first. */
export function lineage(dag: DagRecord, pos: DagPosition): [number, number][] {
  const out: [number, number][] = [];
  let chain = pos.chain;
  let depth = pos.depth;
  while (chain >= 0) {
    out.push([chain, depth]);
    const c = dag.chains[chain];
    if (c === undefined) break;
    depth = c.fork;
    chain = c.parent;
  }
  return out;
}

/** The version of a path that a commit at `pos` sees; undefined when no ancestor had the path. */
export function visibleVersion(
  dag: DagRecord,
  versions: readonly FileVersion[],
  pos: DagPosition,
): FileVersion | undefined {
  for (const [chain, depth] of lineage(dag, pos)) {
    let best: FileVersion | undefined;
    for (const v of versions) {
      if (v.c === chain && v.d <= depth && (best === undefined || v.d > best.d)) best = v;
    }
    if (best) return best;
  }
  return undefined;
}

/** Per chain, the ascending fork depths of the chains forked off it that are live (see compactVersions). */
export type LiveForks = Map<number, number[]>;

/**
 * The live forks of every chain: a fork is live when it, or a chain forked off it, had a commit
 * within `window`. One pass over the chains, done once per commit for all the paths it compacts.
 */
export function liveForks(dag: DagRecord, window: number): LiveForks {
  const horizon = dag.n - window;
  const liveBelow = dag.chains.map((c) => c.lastN);
  // Chains are created after their parent, so one backward pass gives each chain the newest
  // position of it and everything forked off it.
  for (let i = dag.chains.length - 1; i >= 0; i--) {
    const parent = dag.chains[i]!.parent;
    if (parent >= 0) liveBelow[parent] = Math.max(liveBelow[parent]!, liveBelow[i]!);
  }
  const out: LiveForks = new Map();
  dag.chains.forEach((c, i) => {
    if (c.parent < 0 || liveBelow[i]! < horizon) return;
    const list = out.get(c.parent) ?? [];
    list.push(c.fork);
    out.set(c.parent, list);
  });
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Versions of one path that no commit can see any more, and the path's version list without
 * them. A version stays while the commits that see it may still get a child: while the next
 * version on its chain is younger than `window` stream positions (a new branch may still start
 * from a commit between the two), or, for the newest on its chain, unless the chain was merged
 * and has had no commit within `window`; and while a chain forked off in that range had one (itself or a chain forked
 * off it). So a merged branch's versions go once the branch is quiet for `window` commits.
 * Otherwise it becomes a `pruned` marker, so that a commit reaching it after all (a branch
 * revived after `window` commits) finds "blame unknown" instead of an older version's wrong
 * origins; runs of markers on a chain collapse to their first. Returns the shas whose stored
 * blame can be deleted.
 */
export function compactVersions(
  dag: DagRecord,
  versions: readonly FileVersion[],
  window: number,
  live: LiveForks = liveForks(dag, window),
): { versions: FileVersion[]; dropped: string[] } {
  const horizon = dag.n - window;
  const sorted = [...versions].sort((a, b) => a.c - b.c || a.d - b.d || a.n - b.n);
  const out: FileVersion[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    const next = sorted[i + 1];
    const superseded = next !== undefined && next.c === v.c && next.d > v.d;
    // Commits that see v: those of its chain from v.d up to the next version (to the chain's end
    // when none), and every chain forked off in that range. A new branch may still start from
    // one of them while it is younger than `window`.
    const end = superseded ? next.d : Infinity;
    const chain = dag.chains[v.c];
    let keep = superseded ? next.n >= horizon : chain === undefined || chain.merged !== true || chain.lastN >= horizon;
    if (!keep) {
      const forks = live.get(v.c) ?? [];
      const at = lowerBound(forks, v.d);
      keep = at < forks.length && forks[at]! < end;
    }
    const kept: FileVersion = keep ? v : { s: v.s, c: v.c, d: v.d, n: v.n, state: 'pruned' };
    if (!keep && v.state === undefined) dropped.push(v.s);
    const prev = out[out.length - 1];
    if (kept.state === 'pruned' && prev?.state === 'pruned' && prev.c === kept.c) continue;
    out.push(kept);
  }
  return { versions: out, dropped };
}
