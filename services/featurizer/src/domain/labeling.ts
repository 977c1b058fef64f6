// The labeling stage: SZZ and issue links. A fix blames the commits its deleted lines came from
// (bug-inducing, szz), an issue classified as a bug makes the commits it names fixes
// (issue_link), and a retraction takes both back; each change is emitted once per event as a
// label superseding the commit's previous one (labels.ts supersedingAt).
import type { CommitRecord, IssueRecord, LegacyCommitRecord, SupersededMethod } from './history.ts';
import type { CommitLabel } from './labels.ts';
import { issueFixLabel, latest, supersedingAt, szzLabel } from './labels.ts';
import type { RepoOverlay } from './overlay.ts';

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
export class Emission {
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
export async function blameInducers(
  overlay: RepoOverlay,
  emit: Emission,
  repoId: string,
  fixSha: string,
  blamed: Readonly<Record<string, number>>,
  knownAt: number,
): Promise<void> {
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
async function unblameInducers(
  overlay: RepoOverlay,
  emit: Emission,
  repoId: string,
  fixSha: string,
  blamed: Readonly<Record<string, number>>,
  at: number,
): Promise<void> {
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
  return (
    stored.fixByMessage ?? stored.outputs?.labels.some((l) => l.sha === sha && l.method === 'message_pattern') ?? false
  );
}

/** Time a commit became known as a fix: its own time for a message fix, else its earliest issue link. */
export function fixKnownAt(rec: Pick<CommitRecord, 'commitTime' | 'fixesIssues'>, byMessage: boolean): number {
  if (byMessage) return rec.commitTime;
  return Math.min(...Object.values(rec.fixesIssues));
}

export async function applyIssue(overlay: RepoOverlay, repoId: string, ev: IssueInput): Promise<CommitLabel[]> {
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
async function linkFix(
  overlay: RepoOverlay,
  emit: Emission,
  repoId: string,
  sha: string,
  rec: CommitRecord,
  n: string,
  bugSince: number,
): Promise<void> {
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
async function unlinkFix(
  overlay: RepoOverlay,
  emit: Emission,
  repoId: string,
  sha: string,
  rec: CommitRecord,
  n: string,
  at: number,
): Promise<void> {
  if (rec.fixesIssues[n] === undefined) return;
  const fixByMessage = isFixByMessage(sha, rec);
  const { [n]: _, ...fixesIssues } = rec.fixesIssues;
  const knownAt = emit.at(sha, rec, 'issue_link', at);
  const fix = fixByMessage || Object.keys(fixesIssues).length > 0;
  overlay.set('commit', sha, withLabelAt({ ...rec, fix, fixByMessage, fixesIssues }, 'issue_link', knownAt));
  emit.add(issueFixLabel(repoId, sha, fixesIssues, knownAt));
  if (!fix) await unblameInducers(overlay, emit, repoId, sha, rec.blamed, at);
}
