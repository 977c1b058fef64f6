import { describe, expect, it } from 'vitest';
import type { CommitInput, FileChange, Hunk } from '../../src/domain/commit.ts';
import type { CommitRecord } from '../../src/domain/history.ts';
import type { CommitLabel } from '../../src/domain/labels.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { staleSzzLabels } from '../../src/recovery/stale-labels.ts';
import type { LatestSzzLabel } from '../../src/recovery/stale-labels.ts';
import { hunk } from '../helpers/hunks.ts';

const REPO = 'github:acme/calc';
const sha = (n: number): string => n.toString(16).padStart(40, 'c');

function change(hunks: Hunk[], status: FileChange['status'] = 'modified'): FileChange {
  const added = hunks.reduce((s, h) => s + h.new_lines, 0);
  const deleted = hunks.reduce((s, h) => s + h.old_lines, 0);
  return { path: 'src/x.js', old_path: null, status, lines_added: added, lines_deleted: deleted, binary: false, hunks };
}
const commit = (n: number, time: number, message: string, file: FileChange): CommitInput => ({
  repo_id: REPO,
  sha: sha(n),
  parents: n === 1 ? [] : [sha(n - 1)],
  author_id: `dev${n}`,
  commit_time: time,
  message,
  files: [file],
});

// 2 changes line 2, 3 changes it back, 4 fixes it: blame on the full history names 3. With 2 and
// 3 lost, 4's first parent was never applied, so its file's blame is unknown (blame follows the
// commit graph, it never reads 1's version as 4's parent's) and the gap run blames nobody.
const history = [
  commit(1, 1000, 'Add f', change([hunk(0, [], 1, ['function f(a) {', '  return a + 1;', '}'])], 'added')),
  commit(2, 2000, 'Try a + 2', change([hunk(2, ['  return a + 1;'], 2, ['  return a + 2;'])])),
  commit(3, 2500, 'Back to a + 1', change([hunk(2, ['  return a + 2;'], 2, ['  return a + 1;'])])),
  commit(4, 3000, 'Fix off-by-one in f', change([hunk(2, ['  return a + 1;'], 2, ['  return a;'])])),
];

/** commit_labels_latest over the labels both runs wrote: newest label_known_at per commit wins, a tie to the later write. */
function newestSzz(labels: readonly CommitLabel[]): LatestSzzLabel[] {
  const newest = new Map<string, CommitLabel>();
  for (const l of labels)
    if (l.method === 'szz' && (newest.get(l.sha)?.label_known_at ?? -1) <= l.label_known_at) newest.set(l.sha, l);
  return [...newest.values()].map((l) => ({
    sha: l.sha,
    is_bug_inducing: l.is_bug_inducing,
    fix_shas: l.fix_shas,
    label_known_at: l.label_known_at,
  }));
}

describe('a run on a gap and the in-order rebuild', () => {
  it('the gap run emits no SZZ label for lines whose history it lacks, the rebuild the right one, and nothing is left to supersede', async () => {
    const gapRun = await processCommits(new InMemoryHistoryStore(), REPO, [history[0]!, history[3]!], { now: () => 1 });
    expect(gapRun.map((r) => r.gap)).toEqual([false, true]);
    const gapLabels = gapRun.flatMap((r) => r.outputs!.labels);
    // The fix is still known as one; only its blame is missing.
    expect(gapLabels.map((l) => [l.sha, l.method, l.is_fix])).toEqual([[sha(4), 'message_pattern', true]]);

    const rebuilt = new InMemoryHistoryStore();
    const replay = await processCommits(rebuilt, REPO, history, { now: () => 2 });
    const replayLabels = replay.flatMap((r) => r.outputs!.labels);
    expect(replayLabels.filter((l) => l.method === 'szz').map((l) => [l.sha, l.is_bug_inducing, l.fix_shas])).toEqual([
      [sha(3), true, [sha(4)]],
    ]);
    const records = new Map<string, CommitRecord>(
      history.map((c) => [c.sha, rebuilt.peek(REPO, 'commit', c.sha) as CommitRecord]),
    );

    // The relabel step is a safety net here: the newest labels already agree with the rebuilt state.
    expect(staleSzzLabels(REPO, newestSzz([...gapLabels, ...replayLabels]), records)).toEqual([]);
  });

  it('a merge whose side branch lost a commit keeps the lines it brought, and a merge is never labeled: no label the rebuild contradicts', async () => {
    const side = (n: number, parents: string[], time: number, message: string, file: FileChange): CommitInput => ({
      ...commit(n, time, message, file),
      parents,
    });
    const other: FileChange = { ...change([hunk(0, [], 1, ['# notes'])], 'added'), path: 'NOTES.md' };
    // 1 adds f; 2 (side branch, lost) changes line 2; 3 (side) touches another file; 4 merges 3
    // into 1; 5 fixes line 2. git blame of 5's parent names 2; the gap run sees 3 without the
    // file, so line 2 stays the merge's own, and merges are never bug-inducing.
    const graph = [
      history[0]!,
      side(2, [sha(1)], 2000, 'Use a + 2', change([hunk(2, ['  return a + 1;'], 2, ['  return a + 2;'])])),
      side(3, [sha(2)], 2100, 'Notes', other),
      side(
        4,
        [sha(1), sha(3)],
        2500,
        'Merge branch side',
        change([hunk(2, ['  return a + 1;'], 2, ['  return a + 2;'])]),
      ),
      side(5, [sha(4)], 3000, 'Fix off-by-two in f', change([hunk(2, ['  return a + 2;'], 2, ['  return a;'])])),
    ];
    const gapRun = await processCommits(
      new InMemoryHistoryStore(),
      REPO,
      graph.filter((c) => c.sha !== sha(2)),
      { now: () => 1 },
    );
    expect(gapRun.map((r) => r.gap)).toEqual([false, true, false, false]);
    const gapLabels = gapRun.flatMap((r) => r.outputs!.labels);
    expect(gapLabels.filter((l) => l.method === 'szz')).toEqual([]);

    const rebuilt = new InMemoryHistoryStore();
    const replayLabels = (await processCommits(rebuilt, REPO, graph, { now: () => 2 })).flatMap(
      (r) => r.outputs!.labels,
    );
    expect(replayLabels.filter((l) => l.method === 'szz').map((l) => [l.sha, l.is_bug_inducing, l.fix_shas])).toEqual([
      [sha(2), true, [sha(5)]],
    ]);
    const records = new Map<string, CommitRecord>(
      graph.map((c) => [c.sha, rebuilt.peek(REPO, 'commit', c.sha) as CommitRecord]),
    );
    expect(staleSzzLabels(REPO, newestSzz([...gapLabels, ...replayLabels]), records)).toEqual([]);
  });

  it('replaces a label whose fixes differ with the rebuilt fixes, and retracts one of a commit the rebuilt state lacks', () => {
    const record = {
      seq: 1,
      commitTime: 1,
      fix: false,
      fixByMessage: false,
      blamed: {},
      fullyBlamed: true,
      inducedBy: { [sha(9)]: 5000 },
      fixesIssues: {},
    } as CommitRecord;
    const stale = staleSzzLabels(
      REPO,
      [
        { sha: sha(1), is_bug_inducing: true, fix_shas: [sha(8), sha(9)], label_known_at: 6000 },
        { sha: sha(2), is_bug_inducing: true, fix_shas: [sha(9)], label_known_at: 4000 },
      ],
      new Map([[sha(1), record]]),
    );
    expect(stale.map((l) => [l.sha, l.is_bug_inducing, l.fix_shas, l.label_known_at])).toEqual([
      [sha(1), true, [sha(9)], 6001],
      [sha(2), false, [], 4001],
    ]);
  });
});
