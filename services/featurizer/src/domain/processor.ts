// Applies one repository's events to its state, exactly once per event, through any
// HistoryStore. At-least-once delivery means an event can come again (a redelivered batch
// after a crash, the same commit from a webhook and a backfill): the store keeps a compact
// record per applied sha for good, so a repeat is never counted twice, and what the commit
// produced for the redelivery window (retention.ts), so a repeat within it re-emits exactly
// that. A batch's changes are written in one conditional write, so a crash leaves either all
// or none of them, and a second writer forces a recompute.

import { AbortedError, InvalidArgumentError } from '@omen/errors';
import { LARGE_COMMIT_FILES, applyHunks, blameCandidates, normalizedLines, passOtherParents } from './blame.ts';
import type { BlameOutcome, DeletedLine } from './blame.ts';
import type { CommitInput } from './commit.ts';
import { isMerge } from './commit.ts';
import { compactVersions, duePaths, emptyDag, liveForks, markMerged, place, scheduleCompaction, visibleVersion } from './dag.ts';
import type { DagPosition, DagRecord, FileVersion } from './dag.ts';
import { closedIssues, isFixMessage } from './fix.ts';
import type {
  CommitOutputs,
  CommitRecord,
  DeveloperHistory,
  FileHistory,
  FileLines,
  HistoryStore,
  HistoryView,
  IssueRecord,
  LegacyCommitRecord,
  Namespace,
  RecordRequest,
  RepoRecords,
  RepoSnapshot,
  SupersededMethod,
} from './history.ts';
import { emptyChanges, issueOutputsKey, namespaces } from './history.ts';
import { changeMetrics, historyDelta, historyKeys, resolveTouches } from './kamei.ts';
import type { CommitLabel } from './labels.ts';
import { issueFixLabel, latest, messageFixLabel, supersedingAt, szzLabel } from './labels.ts';
import { DEFAULT_BLAME_WINDOW } from './retention.ts';

import type { CodeAnalysis, CodeAnalyzer, CodeFileInput } from './code/types.ts';

export type { CodeAnalysis, CodeAnalyzer, CodeFileInput };

/** An scm.issues.v1 event, as labeling reads it. */
export interface IssueInput {
  /**
   * The event's idempotency id (schemas/issue.avsc): with it, a redelivery within the window is
   * answered from the outputs stored for it. Without it (tools, tests) labels are recomputed.
   */
  event_id?: string;
  repo_id: string;
  number: number;
  is_bug: boolean;
  referenced_commit_shas: readonly string[];
  event_time: number;
}

export interface CommitResult {
  sha: string;
  /**
   * What the commit produced. Null only for a commit applied before whose outputs have left
   * the redelivery window: it is not applied again (the history already counts it) and there is
   * nothing to re-emit. Its rows were acknowledged by every sink when it was first processed,
   * since the window is at least a batch and a repository's next batch starts only after that.
   * Recomputing instead would both double count it and, with a newer computed_at, replace the
   * correct rows with values computed against a history that already holds it and its successors.
   */
  outputs: CommitOutputs | null;
  /** True when the commit had been applied before (`outputs` are the recorded ones, or null). */
  replayed: boolean;
  /** True when a parent had not been applied before it: history metrics computed on a gap. */
  gap: boolean;
  /** The parents not applied before it (present on a commit applied now with `gap`), for the log. */
  missingParents?: string[];
}

export interface ProcessOptions {
  /**
   * Attempts when another writer moved the repository's state between read and write.
   * @default 5
   */
  maxAttempts?: number;
  /** Computes code metrics when file contents or hunks are known; none computed without it. */
  analyzer?: CodeAnalyzer;
  /**
   * The clock that stamps `computedAt` (epoch ms).
   * @default Date.now
   */
  now?: () => number;
  /**
   * Stream positions a superseded file version stays reachable for a new branch (dag.ts
   * compactVersions).
   * @default DEFAULT_BLAME_WINDOW
   */
  blameWindow?: number;
  /**
   * Told, for each commit applied, the old lines each file change removed with the commit git
   * blame gives them in the first parent, before any filter: for diagnostics and the comparison
   * with `git blame`.
   */
  onBlame?: (sha: string, files: readonly BlamedFile[]) => void;
}

class VersionMoved extends Error {}

/** A repository snapshot with this batch's changes laid over it; loads missing keys lazily. */
class RepoOverlay implements HistoryView {
  seq: number;
  readonly changes = emptyChanges();
  /** Shas applied in this batch, in order (they enter the store's redelivery window). */
  readonly applied: string[] = [];
  readonly #asked: Record<Namespace, Set<string>>;

  constructor(
    private readonly store: HistoryStore,
    private readonly repoId: string,
    private readonly snapshot: RepoSnapshot,
    request: RecordRequest,
  ) {
    this.seq = snapshot.seq;
    this.#asked = Object.fromEntries(namespaces.map((ns) => [ns, new Set(request[ns] ?? [])])) as Record<Namespace, Set<string>>;
  }

  get version(): number {
    return this.snapshot.version;
  }

  get<N extends Namespace>(ns: N, key: string): RepoRecords[N] | undefined {
    const mine = this.changes[ns] as Map<string, RepoRecords[N] | null>;
    if (mine.has(key)) return mine.get(key) ?? undefined;
    return (this.snapshot.records[ns] as Map<string, RepoRecords[N]>).get(key);
  }

  set<N extends Namespace>(ns: N, key: string, value: RepoRecords[N] | null): void {
    (this.changes[ns] as Map<string, RepoRecords[N] | null>).set(key, value);
  }

  /** Loads keys not read yet; the repository must still be at the snapshot's version. */
  async ensure(request: RecordRequest): Promise<void> {
    const missing: RecordRequest = {};
    let any = false;
    for (const ns of namespaces) {
      const keys = (request[ns] ?? []).filter((k) => !this.#asked[ns].has(k));
      if (keys.length === 0) continue;
      for (const k of keys) this.#asked[ns].add(k);
      missing[ns] = keys;
      any = true;
    }
    if (!any) return;
    const more = await this.store.load(this.repoId, missing);
    if (more.version !== this.snapshot.version) throw new VersionMoved();
    for (const ns of namespaces) {
      const into = this.snapshot.records[ns] as Map<string, unknown>;
      for (const [k, v] of more.records[ns] as Map<string, unknown>) into.set(k, v);
    }
  }

  file(path: string): FileHistory | undefined {
    return this.get('file', path);
  }

  developer(authorId: string): DeveloperHistory | undefined {
    return this.get('dev', authorId);
  }
}

function requestFor(commits: readonly CommitInput[]): RecordRequest {
  const paths = new Set<string>();
  const developers = new Set<string>();
  const issues = new Set<string>();
  for (const c of commits) {
    const keys = historyKeys(c);
    for (const p of keys.paths) paths.add(p);
    for (const d of keys.developers) developers.add(d);
    for (const n of closedIssues(c.message)) issues.add(String(n));
  }
  const shas = commits.map((c) => c.sha);
  // Parents too: a commit whose parent was never applied is flagged as computed on a gap.
  const commitKeys = [...new Set([...shas, ...commits.flatMap((c) => c.parents)])];
  return { file: [...paths], versions: [...paths], dag: [DAG_KEY], dev: [...developers], commit: commitKeys, outputs: shas, pending: shas, issue: [...issues] };
}

interface BlameResult {
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

const DAG_KEY = 'chains';
const versionKey = (sha: string, path: string): string => `${sha}:${path}`;

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
async function blameSeenBy(overlay: RepoOverlay, dag: DagRecord, path: string, pos: DagPosition | undefined): Promise<FileLines | null | undefined> {
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
 * Moves each touched file's blame through the change, on the version the commit's first parent
 * sees (dag.ts), passing a merge's changed lines on to its other parents as git blame does;
 * collects what SZZ and code analysis need, and drops versions no commit can reach any more.
 */
async function applyBlame(overlay: RepoOverlay, commit: CommitInput, window: number, onBlame: ProcessOptions['onBlame']): Promise<BlameResult> {
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
  for (const f of commit.files) if (f.old_path !== null && f.old_path !== f.path && f.status !== 'copied') mark(f.old_path, 'gone');
  for (const f of commit.files) {
    const from = f.old_path ?? f.path;
    const added = (f.hunks ?? []).flatMap((h) => h.added_lines);
    const base = f.status === 'added' ? null : await blameSeenBy(overlay, dag, from, parents[0]);
    let outcome: BlameOutcome =
      base === undefined ? { kind: 'unknown', reason: 'blame of the file in the first parent is unknown' } : applyHunks(base ?? undefined, f, commit.sha, base === null);
    if (outcome.kind === 'applied' && parents.length > 1 && f.status !== 'deleted') {
      const others = await Promise.all(parents.slice(1).map((p) => blameSeenBy(overlay, dag, f.path, p)));
      const merged = others.includes(undefined) ? null : passOtherParents(outcome.after, commit.sha, base ?? undefined, others as (FileLines | null)[]);
      outcome = merged === null ? { kind: 'unknown', reason: 'blame in another parent of the merge is unknown' } : { ...outcome, after: merged };
    }
    if (outcome.kind === 'applied') {
      for (const [sha, n] of Object.entries(blameCandidates(outcome.deleted, normalizedLines(f.hunks ?? [])))) blamed[sha] = (blamed[sha] ?? 0) + n;
      reported.push({ path: f.path, oldPath: from, deleted: outcome.deleted });
      code.push({ path: f.path, before: base ? base.text.join('\n') : null, after: f.status === 'deleted' ? null : outcome.after.text.join('\n'), added });
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
    if (out.versions.length > 1 && out.versions.some((v) => v.state === undefined)) scheduleCompaction(dag, path, window);
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

/** Commit record of `sha`, loading it when this batch has not read it. */
async function commitRecord(overlay: RepoOverlay, shas: readonly string[]): Promise<void> {
  await overlay.ensure({ commit: shas });
}

/** label_known_at of the last label emitted for `rec` by `method`, if any was. */
function lastLabelAt(rec: CommitRecord, method: SupersededMethod): number | undefined {
  return rec.labelAt?.[method] ?? latest(method === 'szz' ? rec.inducedBy : rec.fixesIssues);
}

/**
 * `rec` after emitting a label of `method` known at `knownAt`: `labelAt` keeps that time only
 * when the record's links no longer tell it, so most records carry no `labelAt` at all.
 */
function withLabelAt(rec: CommitRecord, method: SupersededMethod, knownAt: number): CommitRecord {
  const { labelAt, ...rest } = rec;
  const next: Partial<Record<SupersededMethod, number>> = { ...labelAt };
  if (latest(method === 'szz' ? rec.inducedBy : rec.fixesIssues) === knownAt) delete next[method];
  else next[method] = knownAt;
  return Object.keys(next).length > 0 ? { ...rest, labelAt: next } : rest;
}

/**
 * The labels one event emits: at most one per (sha, method), the last state it reached (an
 * issue event retracting two fixes of one inducer says so once), each superseding the label
 * the commit had before the event.
 */
class Emission {
  readonly #before = new Map<string, number | undefined>();
  readonly #labels = new Map<string, CommitLabel>();

  /** label_known_at for a label of `sha` by `method` whose natural time is `natural`. */
  at(sha: string, rec: CommitRecord, method: SupersededMethod, natural: number): number {
    const key = `${sha}:${method}`;
    if (!this.#before.has(key)) this.#before.set(key, lastLabelAt(rec, method));
    return supersedingAt(natural, this.#before.get(key));
  }

  add(label: CommitLabel): void {
    const key = `${label.sha}:${label.method}`;
    this.#labels.delete(key);
    this.#labels.set(key, label);
  }

  get labels(): CommitLabel[] {
    return [...this.#labels.values()];
  }
}

/**
 * Records that fix `fixSha` (fix known at `knownAt`) blames its candidates, and emits the SZZ
 * labels of those it newly implicates (one it already implicated keeps its label).
 */
async function blameInducers(overlay: RepoOverlay, emit: Emission, repoId: string, fixSha: string, blamed: Readonly<Record<string, number>>, knownAt: number): Promise<void> {
  const inducers = Object.keys(blamed).filter((s) => s !== fixSha);
  await commitRecord(overlay, inducers);
  for (const sha of inducers.sort()) {
    const rec = overlay.get('commit', sha);
    // A merge's own lines resolve a conflict between changes made elsewhere, and a bulk commit
    // (an import, a mass rename) was not written line by line: neither is labeled bug-inducing.
    if (rec && (rec.seq === null || rec.bulk === true)) continue;
    if (!rec) {
      emit.add(szzLabel(repoId, sha, false, { [fixSha]: knownAt }));
      continue;
    }
    if (rec.inducedBy[fixSha] !== undefined) continue;
    const inducedBy = { ...rec.inducedBy, [fixSha]: knownAt };
    const at = emit.at(sha, rec, 'szz', Math.max(...Object.values(inducedBy)));
    overlay.set('commit', sha, withLabelAt({ ...rec, inducedBy }, 'szz', at));
    emit.add(szzLabel(repoId, sha, rec.fix, inducedBy, at));
  }
}

/**
 * `fixSha` is no longer a fix by any method (as of `at`): the commits its SZZ blamed lose it
 * from their fixes, and get superseding labels, reduced or (no fix left) negative.
 */
async function unblameInducers(overlay: RepoOverlay, emit: Emission, repoId: string, fixSha: string, blamed: Readonly<Record<string, number>>, at: number): Promise<void> {
  const inducers = Object.keys(blamed).filter((s) => s !== fixSha);
  await commitRecord(overlay, inducers);
  for (const sha of inducers.sort()) {
    const rec = overlay.get('commit', sha);
    if (rec?.inducedBy[fixSha] === undefined) continue;
    const { [fixSha]: _, ...inducedBy } = rec.inducedBy;
    const knownAt = emit.at(sha, rec, 'szz', at);
    overlay.set('commit', sha, withLabelAt({ ...rec, inducedBy }, 'szz', knownAt));
    emit.add(szzLabel(repoId, sha, rec.fix, inducedBy, knownAt));
  }
}

/** Whether the commit's message marks it a fix; records from before `fixByMessage` tell it by their labels. */
function isFixByMessage(sha: string, rec: CommitRecord): boolean {
  const stored = rec as LegacyCommitRecord;
  return stored.fixByMessage ?? (stored.outputs?.labels.some((l) => l.sha === sha && l.method === 'message_pattern') ?? false);
}

/** Outputs kept for a redelivery: in `outputs`, or inline in a record from before that namespace. */
function recordedOutputs(overlay: RepoOverlay, sha: string, rec: CommitRecord): CommitOutputs | null {
  // A sha key only ever holds a commit's outputs (issue events have their own key form).
  return (overlay.get('outputs', sha) as CommitOutputs | undefined) ?? (rec as LegacyCommitRecord).outputs ?? null;
}

/** Time a commit became known as a fix: its own time for a message fix, else its earliest issue link. */
function fixKnownAt(rec: Pick<CommitRecord, 'commitTime' | 'fixesIssues'>, byMessage: boolean): number {
  if (byMessage) return rec.commitTime;
  return Math.min(...Object.values(rec.fixesIssues));
}

async function applyOne(overlay: RepoOverlay, commit: CommitInput, options: ProcessOptions, now: number): Promise<{ outputs: CommitOutputs; gap: boolean }> {
  const { analyzer } = options;
  const gap = commit.parents.some((p) => overlay.get('commit', p) === undefined);
  const touches = resolveTouches(overlay, commit);
  const values = changeMetrics(overlay, commit, touches);
  const delta = historyDelta(overlay, commit, touches);
  const blame = await applyBlame(overlay, commit, options.blameWindow ?? DEFAULT_BLAME_WINDOW, options.onBlame);
  overlay.seq = delta.seq;
  for (const [p, r] of delta.files) overlay.set('file', p, r);
  for (const [d, r] of delta.developers) overlay.set('dev', d, r);

  const merge = isMerge(commit);
  const byMessage = !merge && isFixMessage(commit.message);
  const fixesIssues: Record<string, number> = {};
  if (!merge) {
    // Issues its message closes, and issues that named this sha before it arrived.
    const linked = new Set([...closedIssues(commit.message).map(String), ...(overlay.get('pending', commit.sha) ?? [])]);
    await overlay.ensure({ issue: [...linked] });
    for (const n of linked) {
      const issue = overlay.get('issue', n) ?? { isBug: false, bugSince: null, shas: [] };
      if (!issue.shas.includes(commit.sha)) overlay.set('issue', n, { ...issue, shas: [...issue.shas, commit.sha] });
      if (issue.isBug) fixesIssues[n] = Math.max(commit.commit_time, issue.bugSince ?? commit.commit_time);
    }
    if (overlay.get('pending', commit.sha)) overlay.set('pending', commit.sha, null);
  }
  const fix = byMessage || Object.keys(fixesIssues).length > 0;
  const emit = new Emission();
  if (byMessage) emit.add(messageFixLabel(commit.repo_id, commit.sha, commit.commit_time));
  if (Object.keys(fixesIssues).length > 0) emit.add(issueFixLabel(commit.repo_id, commit.sha, fixesIssues));
  if (fix) await blameInducers(overlay, emit, commit.repo_id, commit.sha, blame.blamed, fixKnownAt({ commitTime: commit.commit_time, fixesIssues }, byMessage));
  const labels = emit.labels;

  const analysis = analyzer && blame.code.length > 0 ? analyzer(blame.code) : null;
  const outputs: CommitOutputs = {
    computedAt: now,
    jit: values,
    code: analysis?.values ?? null,
    fileMetrics: analysis?.files ?? null,
    findings: analysis?.findings ?? [],
    labels,
  };
  overlay.set('commit', commit.sha, {
    seq: merge ? null : delta.seq,
    commitTime: commit.commit_time,
    fix,
    fixByMessage: byMessage,
    blamed: blame.blamed,
    fullyBlamed: blame.fullyBlamed,
    chain: blame.position.chain,
    depth: blame.position.depth,
    ...(commit.files.length > LARGE_COMMIT_FILES ? { bulk: true } : {}),
    inducedBy: overlay.get('commit', commit.sha)?.inducedBy ?? {},
    fixesIssues,
    ...(gap ? { gap: true as const } : {}),
  });
  overlay.set('outputs', commit.sha, outputs);
  overlay.applied.push(commit.sha);
  return { outputs, gap };
}

async function withRetries<T>(repoId: string, maxAttempts: number, attempt: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < maxAttempts; i++) {
    try {
      const r = await attempt();
      if (r !== undefined) return r;
    } catch (err) {
      if (!(err instanceof VersionMoved)) throw err;
    }
  }
  throw new AbortedError(`state of ${repoId} kept changing under ${maxAttempts} attempts; another instance is writing the same repository`, { repoId });
}

function checkRepo(repoId: string, items: readonly { repo_id: string }[]): void {
  for (const c of items) {
    if (c.repo_id !== repoId) throw new InvalidArgumentError(`an event of ${c.repo_id} is in a batch of ${repoId}; batches are per repository`, 'repo_id');
  }
}

function hasChanges(overlay: RepoOverlay): boolean {
  return namespaces.some((ns) => overlay.changes[ns].size > 0);
}

/**
 * Everything `commits` (one repository, in stream order) produce, applying each to the
 * repository's state at most once. Throws AbortedError when other writers kept winning.
 */
export async function processCommits(store: HistoryStore, repoId: string, commits: readonly CommitInput[], options: ProcessOptions = {}): Promise<CommitResult[]> {
  checkRepo(repoId, commits);
  const now = options.now ?? Date.now;
  return withRetries(repoId, options.maxAttempts ?? 5, async () => {
    const request = requestFor(commits);
    const overlay = new RepoOverlay(store, repoId, await store.load(repoId, request), request);
    const results: CommitResult[] = [];
    for (const commit of commits) {
      const known = overlay.get('commit', commit.sha);
      if (known) {
        results.push({ sha: commit.sha, outputs: recordedOutputs(overlay, commit.sha, known), replayed: true, gap: known.gap === true });
        continue;
      }
      const missingParents = commit.parents.filter((p) => overlay.get('commit', p) === undefined);
      results.push({ sha: commit.sha, ...(await applyOne(overlay, commit, options, now())), replayed: false, ...(missingParents.length > 0 ? { missingParents } : {}) });
    }
    if (!hasChanges(overlay)) return results;
    const ok = await store.write(repoId, { expectedVersion: overlay.version, seq: overlay.seq, changes: overlay.changes, applied: overlay.applied, now: now() });
    return ok ? results : undefined;
  });
}

/**
 * Labels that `issues` (one repository's issue events, in order) produce. Each event is the
 * issue's state after its action (schemas/issue.avsc), and `is_bug` is the classification:
 * - a bug issue makes the commits it names, or whose messages close it, fixes (issue_link), and
 *   their SZZ candidates bug-inducing;
 * - an issue that stops being a bug issue retracts what it caused: each commit it linked gets a
 *   superseding issue_link label (reduced to the bug issues still linking it, or is_fix false),
 *   and a commit that is then no longer a fix by any method (a fix message still counts) takes
 *   its SZZ candidates' labels back with it (reduced, or is_bug_inducing false when no fix is
 *   left). Labeling it a bug again brings the labels back, newer again.
 * Only changes are emitted, each newer than the label it supersedes (supersedingAt). An event
 * older than one already applied to the issue only adds its references. With an event id, the
 * labels an event produced are kept for the redelivery window (like a commit's outputs), so a
 * redelivered event re-emits exactly those; beyond the window a redelivery is applied again,
 * which changes nothing and emits nothing since the state already holds it.
 */
export async function processIssues(store: HistoryStore, repoId: string, issues: readonly IssueInput[], options: Pick<ProcessOptions, 'maxAttempts' | 'now'> = {}): Promise<CommitLabel[][]> {
  checkRepo(repoId, issues);
  const now = options.now ?? Date.now;
  return withRetries(repoId, options.maxAttempts ?? 5, async () => {
    const keys = issues.flatMap((i) => (i.event_id === undefined ? [] : [issueOutputsKey(i.event_id)]));
    const request: RecordRequest = { issue: [...new Set(issues.map((i) => String(i.number)))], outputs: [...new Set(keys)] };
    const overlay = new RepoOverlay(store, repoId, await store.load(repoId, request), request);
    const out: CommitLabel[][] = [];
    for (const ev of issues) {
      const key = ev.event_id === undefined ? undefined : issueOutputsKey(ev.event_id);
      const stored = key === undefined ? undefined : overlay.get('outputs', key);
      if (stored) {
        out.push(stored.labels);
        continue;
      }
      const labels = await applyIssue(overlay, repoId, ev);
      if (key !== undefined) {
        overlay.set('outputs', key, { computedAt: now(), labels });
        overlay.applied.push(key);
      }
      out.push(labels);
    }
    const ok = await store.write(repoId, { expectedVersion: overlay.version, seq: overlay.seq, changes: overlay.changes, applied: overlay.applied, now: now() });
    return ok ? out : undefined;
  });
}

async function applyIssue(overlay: RepoOverlay, repoId: string, ev: IssueInput): Promise<CommitLabel[]> {
  const n = String(ev.number);
  const prev: IssueRecord = overlay.get('issue', n) ?? { isBug: false, bugSince: null, shas: [] };
  const shas = [...new Set([...prev.shas, ...ev.referenced_commit_shas])];
  // Events of one issue come in order on its repository's partition; an older one is a replay
  // or a backfill behind the live stream and must not undo a newer classification.
  const stale = prev.at !== undefined && ev.event_time < prev.at;
  const isBug = stale ? prev.isBug : ev.is_bug;
  const bugSince = !isBug ? null : prev.isBug && prev.bugSince !== null ? prev.bugSince : ev.event_time;
  overlay.set('issue', n, { isBug, bugSince, shas, at: stale ? (prev.at ?? ev.event_time) : ev.event_time });
  await overlay.ensure({ commit: shas, pending: shas });
  const emit = new Emission();
  for (const sha of shas) {
    const rec = overlay.get('commit', sha);
    if (!rec) {
      const pending = overlay.get('pending', sha) ?? [];
      if (isBug && !pending.includes(n)) overlay.set('pending', sha, [...pending, n]);
      continue;
    }
    if (rec.seq === null) continue; // merges are not labeled
    if (isBug) await linkFix(overlay, emit, repoId, sha, rec, n, bugSince ?? ev.event_time);
    else await unlinkFix(overlay, emit, repoId, sha, rec, n, ev.event_time);
  }
  return emit.labels;
}

/** Bug issue `n` (a bug since `bugSince`) names the applied commit `sha`. */
async function linkFix(overlay: RepoOverlay, emit: Emission, repoId: string, sha: string, rec: CommitRecord, n: string, bugSince: number): Promise<void> {
  // Already linked: its labels stand; a repeat would only restate them.
  if (rec.fixesIssues[n] !== undefined) return;
  const fixByMessage = isFixByMessage(sha, rec);
  const fixesIssues = { ...rec.fixesIssues, [n]: Math.max(rec.commitTime, bugSince) };
  const at = emit.at(sha, rec, 'issue_link', Math.max(...Object.values(fixesIssues)));
  const updated = withLabelAt({ ...rec, fix: true, fixByMessage, fixesIssues }, 'issue_link', at);
  overlay.set('commit', sha, updated);
  emit.add(issueFixLabel(repoId, sha, fixesIssues, at));
  await blameInducers(overlay, emit, repoId, sha, rec.blamed, fixKnownAt(updated, fixByMessage));
}

/** Issue `n` is no longer a bug issue (as of `at`): `sha` loses the link, and maybe its fix status. */
async function unlinkFix(overlay: RepoOverlay, emit: Emission, repoId: string, sha: string, rec: CommitRecord, n: string, at: number): Promise<void> {
  if (rec.fixesIssues[n] === undefined) return;
  const fixByMessage = isFixByMessage(sha, rec);
  const { [n]: _, ...fixesIssues } = rec.fixesIssues;
  const knownAt = emit.at(sha, rec, 'issue_link', at);
  const fix = fixByMessage || Object.keys(fixesIssues).length > 0;
  overlay.set('commit', sha, withLabelAt({ ...rec, fix, fixByMessage, fixesIssues }, 'issue_link', knownAt));
  emit.add(issueFixLabel(repoId, sha, fixesIssues, knownAt));
  if (!fix) await unblameInducers(overlay, emit, repoId, sha, rec.blamed, at);
}

/**
 * The blame of `path` as commit `sha` left it, from the store: null when the commit has no such
 * file, undefined when its blame is unknown or the commit was not applied. For tools and tests.
 */
export async function blameAt(store: HistoryStore, repoId: string, sha: string, path: string): Promise<FileLines | null | undefined> {
  const request: RecordRequest = { commit: [sha], dag: [DAG_KEY], versions: [path] };
  const overlay = new RepoOverlay(store, repoId, await store.load(repoId, request), request);
  const [pos] = await parentPositions(overlay, [sha]);
  return blameSeenBy(overlay, overlay.get('dag', DAG_KEY) ?? emptyDag(), path, pos);
}
