// The blame stage of a commit's walk: moves each touched file's blame through the change on the
// version its first parent sees (dag.ts), passes a merge's lines on as git blame does, and
// collects what SZZ (the deleted lines' commits) and code analysis (before/after text) need.
import { LARGE_COMMIT_FILES, applyHunks, blameCandidates, normalizedLines, passOtherParents } from './blame.ts';
import type { BlameOutcome, DeletedLine } from './blame.ts';
import type { CodeFileInput } from './code/types.ts';
import type { CommitInput } from './commit.ts';
import {
  compactVersions,
  duePaths,
  emptyDag,
  liveForks,
  markMerged,
  place,
  scheduleCompaction,
  SWEEP_PER_COMMIT,
  visibleVersion,
} from './dag.ts';
import type { DagPosition, DagRecord, FileVersion } from './dag.ts';
import type { FileLines, HistoryStore, RecordRequest } from './history.ts';
import { RepoOverlay } from './overlay.ts';

export interface BlameResult {
  blamed: Record<string, number>;
  fullyBlamed: boolean;
  code: CodeFileInput[];
  position: DagPosition;
}

/** The old lines one file change removed, each with the commit git blame gives it in the parent. */
export interface BlamedFile {
  path: string;
  /** Path in the first parent (differs for a rename). */
  oldPath: string;
  deleted: readonly DeletedLine[];
}

export const DAG_KEY = 'chains';
const versionKey = (sha: string, path: string): string => `${sha}:${path}`;

/** Told, per commit applied, the old lines each file change removed with their blamed commits. */
export type BlameListener = (sha: string, files: readonly BlamedFile[]) => void;

/** First-parent graph positions of `parents` (undefined for one the state has not applied). */
async function parentPositions(overlay: RepoOverlay, parents: readonly string[]): Promise<(DagPosition | undefined)[]> {
  await overlay.ensure({ commit: parents });
  return parents.map((p) => {
    const rec = overlay.get('commit', p);
    return rec?.chain === undefined || rec.depth === undefined ? undefined : { chain: rec.chain, depth: rec.depth };
  });
}

/**
 * Blame of `path` as the commit at `pos` sees it: its lines, null when the commit has no such
 * file, undefined when its blame is unknown (no hunks, pruned, or the commit is not in the state).
 */
async function blameSeenBy(
  overlay: RepoOverlay,
  dag: DagRecord,
  path: string,
  pos: DagPosition | undefined,
): Promise<FileLines | null | undefined> {
  if (pos === undefined) return undefined;
  await overlay.ensure({ versions: [path] });
  const v = visibleVersion(dag, overlay.get('versions', path) ?? [], pos);
  if (v === undefined || v.state === 'gone') return null;
  if (v.state !== undefined) return undefined;
  const key = versionKey(v.s, path);
  await overlay.ensure({ blame: [key] });
  return overlay.get('blame', key);
}

/**
 * Loads, in one round trip before a batch's walk, what the walk would otherwise read one file at a
 * time: the stored blame each touched file's parents see (blameSeenBy) and the version lists of
 * the paths whose compaction comes due (duePaths). Per-file reads were one store round trip per
 * touched file, most of the state stage's time on a loaded machine. The keys come from placing
 * the batch's commits on a copy of the graph, with the versions the batch itself makes as
 * placeholders (their blame is made in the batch, not read); a read this misses is still loaded
 * lazily, and one it loads for nothing (a version compacted during the batch) costs only its bytes.
 */
export async function prefetchBlame(overlay: RepoOverlay, commits: readonly CommitInput[]): Promise<void> {
  const stored = overlay.get('dag', DAG_KEY) ?? emptyDag();
  const dag: DagRecord = { n: stored.n, chains: stored.chains.map((c) => ({ ...c })) };
  const inBatch = new Set(commits.map((c) => c.sha));
  const positions = new Map<string, DagPosition>();
  const made = new Map<string, FileVersion[]>();
  const blame = new Set<string>();
  const positionOf = (sha: string): DagPosition | undefined => {
    const mine = positions.get(sha);
    if (mine !== undefined) return mine;
    const rec = overlay.get('commit', sha);
    return rec?.chain === undefined || rec.depth === undefined ? undefined : { chain: rec.chain, depth: rec.depth };
  };
  const need = (path: string, pos: DagPosition | undefined): void => {
    if (pos === undefined) return;
    const v = visibleVersion(dag, [...(overlay.get('versions', path) ?? []), ...(made.get(path) ?? [])], pos);
    if (v !== undefined && v.state === undefined && !inBatch.has(v.s)) blame.add(versionKey(v.s, path));
  };
  let walked = 0;
  for (const commit of commits) {
    if (overlay.get('commit', commit.sha) !== undefined || positions.has(commit.sha)) continue; // applied before: not walked
    walked += 1;
    const parents = commit.parents.map(positionOf);
    const position = place(dag, parents[0]);
    for (const p of parents.slice(1)) if (p !== undefined) markMerged(dag, p);
    positions.set(commit.sha, position);
    for (const f of commit.files) {
      if (f.status !== 'added') need(f.old_path ?? f.path, parents[0]);
      if (f.status !== 'deleted') for (const p of parents.slice(1)) need(f.path, p);
    }
    const version: FileVersion = { s: commit.sha, c: position.chain, d: position.depth, n: dag.n };
    for (const f of commit.files)
      for (const path of f.old_path !== null && f.old_path !== f.path ? [f.path, f.old_path] : [f.path])
        made.set(path, [...(made.get(path) ?? []), version]);
  }
  // Paths touched in the batch are loaded already; these are the ones only the sweep reads.
  const due = duePaths({ ...dag, n: stored.n + walked, due: stored.due ?? {} }, SWEEP_PER_COMMIT * walked);
  await overlay.ensure({ blame: [...blame], versions: due });
}

/**
 * Moves each touched file's blame through the change, on the version the commit's first parent
 * sees (dag.ts), passing a merge's changed lines on to its other parents as git blame does;
 * collects what SZZ and code analysis need, and drops versions no commit can reach any more.
 */
export async function applyBlame(
  overlay: RepoOverlay,
  commit: CommitInput,
  window: number,
  onBlame: BlameListener | undefined,
): Promise<BlameResult> {
  const dag = overlay.get('dag', DAG_KEY) ?? emptyDag();
  const parents = await parentPositions(overlay, commit.parents);
  const position = place(dag, parents[0]);
  for (const p of parents.slice(1)) if (p !== undefined) markMerged(dag, p);
  overlay.set('dag', DAG_KEY, dag);
  const blamed: Record<string, number> = {};
  let fullyBlamed = commit.files.length > 0;
  const code: CodeFileInput[] = [];
  const reported: BlamedFile[] = [];
  // Removals first, so a path renamed away and re-created in the same commit ends up present.
  const made = new Map<string, FileVersion>();
  const mark = (path: string, state?: FileVersion['state']): void => {
    made.set(path, { s: commit.sha, c: position.chain, d: position.depth, n: dag.n, ...(state ? { state } : {}) });
  };
  for (const f of commit.files)
    if (f.old_path !== null && f.old_path !== f.path && f.status !== 'copied') mark(f.old_path, 'gone');
  for (const f of commit.files) {
    const from = f.old_path ?? f.path;
    const added = (f.hunks ?? []).flatMap((h) => h.added_lines);
    const base = f.status === 'added' ? null : await blameSeenBy(overlay, dag, from, parents[0]);
    let outcome: BlameOutcome =
      base === undefined
        ? { kind: 'unknown', reason: 'blame of the file in the first parent is unknown' }
        : applyHunks(base ?? undefined, f, commit.sha, base === null);
    if (outcome.kind === 'applied' && parents.length > 1 && f.status !== 'deleted') {
      const others = await Promise.all(parents.slice(1).map((p) => blameSeenBy(overlay, dag, f.path, p)));
      const merged = others.includes(undefined)
        ? null
        : passOtherParents(outcome.after, commit.sha, base ?? undefined, others as (FileLines | null)[]);
      outcome =
        merged === null
          ? { kind: 'unknown', reason: 'blame in another parent of the merge is unknown' }
          : { ...outcome, after: merged };
    }
    if (outcome.kind === 'applied') {
      for (const [sha, n] of Object.entries(blameCandidates(outcome.deleted, normalizedLines(f.hunks ?? []))))
        blamed[sha] = (blamed[sha] ?? 0) + n;
      reported.push({ path: f.path, oldPath: from, deleted: outcome.deleted });
      code.push({
        path: f.path,
        before: base ? base.text.join('\n') : null,
        after: f.status === 'deleted' ? null : outcome.after.text.join('\n'),
        added,
      });
      if (f.status === 'deleted') mark(f.path, 'gone');
      else {
        mark(f.path);
        overlay.set('blame', versionKey(commit.sha, f.path), outcome.after);
      }
    } else {
      if (!f.binary) fullyBlamed = false;
      if (added.length > 0) code.push({ path: f.path, before: null, after: null, added });
      mark(f.path, f.status === 'deleted' ? 'gone' : 'unknown');
    }
  }
  const live = liveForks(dag, window);
  const compact = (path: string, versions: readonly FileVersion[]): void => {
    const out = compactVersions(dag, versions, window, live);
    overlay.set('versions', path, out.versions);
    for (const sha of out.dropped) overlay.set('blame', versionKey(sha, path), null);
    if (dag.due) delete dag.due[path];
    // Versions kept now may become unreachable later, when no commit touches the path again.
    if (out.versions.length > 1 && out.versions.some((v) => v.state === undefined))
      scheduleCompaction(dag, path, window);
  };
  for (const [path, version] of made) compact(path, [...(overlay.get('versions', path) ?? []), version]);
  const due = duePaths(dag);
  await overlay.ensure({ versions: due });
  for (const path of due) compact(path, overlay.get('versions', path) ?? []);
  onBlame?.(commit.sha, reported);
  // A fix touching that many files is a bulk change with a fix word in it (tangled), not a repair
  // whose deleted lines point at a bug.
  return { blamed: commit.files.length > LARGE_COMMIT_FILES ? {} : blamed, fullyBlamed, code, position };
}

/**
 * The blame of `path` as commit `sha` left it, from the store: null when the commit has no such
 * file, undefined when its blame is unknown or the commit was not applied. For tools and tests.
 */
export async function blameAt(
  store: HistoryStore,
  repoId: string,
  sha: string,
  path: string,
): Promise<FileLines | null | undefined> {
  const request: RecordRequest = { commit: [sha], dag: [DAG_KEY], versions: [path] };
  const overlay = new RepoOverlay(store, repoId, await store.load(repoId, request), request);
  const [pos] = await parentPositions(overlay, [sha]);
  return blameSeenBy(overlay, overlay.get('dag', DAG_KEY) ?? emptyDag(), path, pos);
}
