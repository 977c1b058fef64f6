// After a rebuild, the SZZ labels the rebuilt history disagrees with. A rebuild replays the
// history in order and re-emits every label at its natural label_known_at. The graph blame gives
// a run on a gap no label to contradict (it blames nobody for lines whose history it lacks), so
// this is a safety net: for labels an older featurizer wrote (its linear blame named the wrong
// commit over a gap) and for commits the rebuilt state lacks. Such a label keeps its row in
// commit_labels, and where it is the newest for its commit, newest-wins readers still take it. Labels are never deleted (point-in-time reads of old training sets
// depend on them), so each such label is superseded by the rebuilt history's answer, 1 ms after it.
import type { CommitRecord } from '../domain/history.ts';
import { latest as latestTime, supersedingAt, szzLabel } from '../domain/labels.ts';
import type { CommitLabel } from '../domain/labels.ts';

/** A commit's newest SZZ label as commit_labels_latest reads it. */
export interface LatestSzzLabel {
  sha: string;
  is_bug_inducing: boolean;
  fix_shas: readonly string[];
  label_known_at: number;
}

/**
 * Superseding labels for every commit whose newest SZZ label disagrees with the rebuilt state
 * (`inducedBy`: the fixes whose SZZ blamed it on the complete history). A commit the state does
 * not hold at all gets a retraction: nothing in the full history blames it.
 */
export function staleSzzLabels(
  repoId: string,
  newest: readonly LatestSzzLabel[],
  records: ReadonlyMap<string, CommitRecord>,
): CommitLabel[] {
  const out: CommitLabel[] = [];
  for (const row of newest) {
    const record = records.get(row.sha);
    const inducedBy = record?.inducedBy ?? {};
    const want = Object.keys(inducedBy).sort();
    const have = [...row.fix_shas].sort();
    if (
      row.is_bug_inducing === want.length > 0 &&
      want.length === have.length &&
      want.every((sha, i) => sha === have[i])
    )
      continue;
    const natural = latestTime(inducedBy) ?? row.label_known_at;
    out.push(szzLabel(repoId, row.sha, record?.fix ?? false, inducedBy, supersedingAt(natural, row.label_known_at)));
  }
  return out;
}
