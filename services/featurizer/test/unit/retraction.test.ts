// Labels of a bug issue that stops being one: superseded, never deleted (schemas/label.avsc,
// newest label_known_at wins per (repo_id, sha, method)).
import { describe, expect, it } from 'vitest';
import type { CommitInput, FileChange, Hunk } from '../../src/domain/commit.ts';
import type { CommitLabel } from '../../src/domain/labels.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import type { IssueInput } from '../../src/domain/processor.ts';
import { processCommits, processIssues } from '../../src/domain/processor.ts';
import { hunk } from '../helpers/hunks.ts';

const REPO = 'github:acme/calc';
const sha = (n: number): string => n.toString(16).padStart(40, 'd');
const C = [0, 1, 2, 3, 4, 5, 6].map(sha);

function change(hunks: Hunk[], extra: Partial<FileChange> = {}): FileChange {
  const added = hunks.reduce((s, h) => s + h.new_lines, 0);
  const deleted = hunks.reduce((s, h) => s + h.old_lines, 0);
  return {
    path: 'src/x.js',
    old_path: null,
    status: 'modified',
    lines_added: added,
    lines_deleted: deleted,
    binary: false,
    hunks,
    ...extra,
  };
}

const commit = (
  i: number,
  time: number,
  message: string,
  hunks: Hunk[],
  extra: Partial<FileChange> = {},
): CommitInput => ({
  repo_id: REPO,
  sha: C[i]!,
  parents: i > 1 ? [sha(i - 1)] : [],
  author_id: `a${i}`,
  commit_time: time,
  message,
  files: [change(hunks, extra)],
});

// Line owners after each commit (1-based lines): C1 writes 4 lines; C2 owns line 2; C3 (no fix
// message) blames C2 (line 2) and C1 (line 3); C4 (a fix by its message) blames C3; C5 blames C1.
const history = [
  commit(1, 1000, 'Add f', [hunk(0, [], 1, ['function f(a) {', '  return a + 1;', '  return 0;', '}'])], {
    status: 'added',
  }),
  commit(2, 2000, 'Tweak f', [hunk(2, ['  return a + 1;'], 2, ['  return a - 1;'])]),
  commit(3, 3000, 'Change f', [hunk(2, ['  return a - 1;', '  return 0;'], 2, ['  return a;', '  return 1;'])]),
  commit(4, 4000, 'Fix f result', [hunk(3, ['  return 1;'], 3, ['  return 2;'])]),
  commit(5, 5000, 'Rework f', [hunk(1, ['function f(a) {'], 1, ['function f(a, b) {'])]),
];

const issue = (number: number, isBug: boolean, time: number, shas: string[] = []): IssueInput => ({
  event_id: `${REPO}:issue:${number}:${isBug ? 'labeled' : 'unlabeled'}:${time}`,
  repo_id: REPO,
  number,
  is_bug: isBug,
  referenced_commit_shas: shas,
  event_time: time,
});

type Row = [sha: string, method: string, positive: boolean, links: (string | number)[], knownAt: number];
const rows = (labels: CommitLabel[] | undefined): Row[] =>
  (labels ?? []).map((l) => [
    l.sha,
    l.method,
    l.method === 'szz' ? l.is_bug_inducing : l.is_fix,
    l.method === 'szz' ? l.fix_shas : l.issue_numbers,
    l.label_known_at,
  ]);

/** The newest label per (sha, method) over everything emitted, as a newest-wins reader sees it. */
function newest(all: CommitLabel[]): Map<string, CommitLabel> {
  const out = new Map<string, CommitLabel>();
  for (const l of all) {
    const key = `${l.sha}:${l.method}`;
    const seen = out.get(key);
    if (!seen || l.label_known_at > seen.label_known_at) out.set(key, l);
  }
  return out;
}

async function linked(
  store = new InMemoryHistoryStore(),
): Promise<{ store: InMemoryHistoryStore; emitted: CommitLabel[] }> {
  const emitted = (await processCommits(store, REPO, history)).flatMap((r) => r.outputs!.labels);
  // #7 names C3; #8 names C3 and C5.
  emitted.push(
    ...(await processIssues(store, REPO, [issue(7, true, 6000, [C[3]!]), issue(8, true, 6500, [C[3]!, C[5]!])])).flat(),
  );
  return { store, emitted };
}

describe('retracting labels when an issue stops being a bug issue', () => {
  it('starts from fixes and SZZ labels through both issues', async () => {
    const { emitted } = await linked();
    expect(rows(emitted)).toEqual([
      [C[4], 'message_pattern', true, [], 4000],
      [C[3], 'szz', true, [C[4]], 4000],
      [C[3], 'issue_link', true, [7], 6000],
      [C[1], 'szz', true, [C[3]], 6000],
      [C[2], 'szz', true, [C[3]], 6000],
      [C[3], 'issue_link', true, [7, 8], 6500],
      [C[5], 'issue_link', true, [8], 6500],
      [C[1], 'szz', true, [C[3], C[5]], 6500],
    ]);
  });

  it('keeps a fix another bug issue still links, with the issue numbers reduced', async () => {
    const { store } = await linked();
    const [labels] = await processIssues(store, REPO, [issue(7, false, 7000)]);
    expect(rows(labels)).toEqual([[C[3], 'issue_link', true, [8], 7000]]);
    expect(store.peek(REPO, 'commit', C[3]!)).toMatchObject({ fix: true, fixesIssues: { '8': 6500 } });
    expect(store.peek(REPO, 'commit', C[1]!)?.inducedBy).toEqual({ [C[3]!]: 6000, [C[5]!]: 6500 });
  });

  it('retracts the fixes and the SZZ labels implicated only through them, reducing the others', async () => {
    const { store, emitted } = await linked();
    const [partial] = await processIssues(store, REPO, [issue(7, false, 7000)]);
    const [labels] = await processIssues(store, REPO, [issue(8, false, 8000)]);
    // C2 was implicated by C3 alone; C1 by C3 and C5, both no longer fixes; C3 keeps C4, a fix
    // by its message. One label per commit and method (at its last change), however many of its
    // fixes went.
    expect(rows(labels)).toEqual([
      [C[3], 'issue_link', false, [], 8000],
      [C[2], 'szz', false, [], 8000],
      [C[5], 'issue_link', false, [], 8000],
      [C[1], 'szz', false, [], 8000],
    ]);
    const now = newest([...emitted, ...partial!, ...labels!]);
    expect(now.get(`${C[3]}:szz`)).toMatchObject({ is_bug_inducing: true, fix_shas: [C[4]] });
    expect(now.get(`${C[4]}:message_pattern`)).toMatchObject({ is_fix: true });
    for (const key of [`${C[1]}:szz`, `${C[2]}:szz`]) expect(now.get(key)?.is_bug_inducing, key).toBe(false);
    for (const key of [`${C[3]}:issue_link`, `${C[5]}:issue_link`]) expect(now.get(key)?.is_fix, key).toBe(false);
    expect(store.peek(REPO, 'commit', C[3]!)).toMatchObject({
      fix: false,
      fixesIssues: {},
      labelAt: { issue_link: 8000 },
    });
    expect(store.peek(REPO, 'commit', C[1]!)).toMatchObject({ inducedBy: {}, labelAt: { szz: 8000 } });
  });

  it('reduces an SZZ label to the fixes that remain', async () => {
    const { store } = await linked();
    // #8 goes first: C5 is no longer a fix, C3 still is (through #7).
    const [labels] = await processIssues(store, REPO, [issue(8, false, 7000)]);
    expect(rows(labels)).toEqual([
      [C[3], 'issue_link', true, [7], 7000],
      [C[5], 'issue_link', false, [], 7000],
      [C[1], 'szz', true, [C[3]], 7000],
    ]);
  });

  it('brings the labels back, newer again, when the issue is a bug again', async () => {
    const { store, emitted } = await linked();
    const retracted = (await processIssues(store, REPO, [issue(7, false, 7000), issue(8, false, 8000)])).flat();
    const [back] = await processIssues(store, REPO, [issue(8, true, 9000)]);
    expect(rows(back)).toEqual([
      [C[3], 'issue_link', true, [8], 9000],
      [C[2], 'szz', true, [C[3]], 9000],
      [C[5], 'issue_link', true, [8], 9000],
      [C[1], 'szz', true, [C[3], C[5]], 9000],
    ]);
    const now = newest([...emitted, ...retracted, ...back!]);
    expect(now.get(`${C[1]}:szz`)).toBe(back![3]);
    // The record tells the label time again: no labelAt left to keep.
    expect(store.peek(REPO, 'commit', C[1]!)).toEqual(expect.not.objectContaining({ labelAt: expect.anything() }));
  });

  it('re-emits the same labels for a redelivered issue event, and nothing for one beyond the window', async () => {
    const { store } = await linked();
    const event = issue(8, false, 8000);
    const [first] = await processIssues(store, REPO, [event]);
    await processIssues(store, REPO, [issue(8, true, 9000)]);
    const [again] = await processIssues(store, REPO, [event]);
    expect(again).toEqual(first);
    expect(first!.length).toBeGreaterThan(0);

    // Outputs window of 1: the event's stored labels are gone by the time it comes again; the
    // newer classification stands and nothing is emitted.
    const small = (await linked(new InMemoryHistoryStore({ retention: { commitOutputs: 1 } }))).store;
    await processIssues(small, REPO, [event]);
    await processIssues(small, REPO, [issue(8, true, 9000)]);
    const [late] = await processIssues(small, REPO, [event]);
    expect(late).toEqual([]);
    expect(small.peek(REPO, 'issue', '8')).toMatchObject({ isBug: true, at: 9000 });
    expect(small.peek(REPO, 'commit', C[5]!)).toMatchObject({ fix: true, fixesIssues: { '8': 9000 } });
  });

  it('stamps a retraction 1 ms after the label it supersedes when the issue event is older', async () => {
    const store = new InMemoryHistoryStore();
    await processCommits(store, REPO, history.slice(0, 2));
    // A commit dated after the issue event that will unlabel its issue (clock skew, a rebase).
    await processCommits(store, REPO, [
      { ...commit(6, 20_000, 'Tidy f', [hunk(2, ['  return a - 1;'], 2, ['  return a;'])]), parents: [C[2]!] },
    ]);
    const [linkedLabels] = await processIssues(store, REPO, [issue(9, true, 10_000, [C[6]!])]);
    expect(rows(linkedLabels)).toEqual([
      [C[6], 'issue_link', true, [9], 20_000],
      [C[2], 'szz', true, [C[6]], 20_000],
    ]);
    const [labels] = await processIssues(store, REPO, [issue(9, false, 15_000)]);
    expect(rows(labels)).toEqual([
      [C[6], 'issue_link', false, [], 20_001],
      [C[2], 'szz', false, [], 20_001],
    ]);
    expect(labels![0]!.event_id).toBe(`${REPO}:${C[6]}:issue_link:20001`);
  });

  it('ignores the classification of an issue event older than one already applied', async () => {
    const { store } = await linked();
    await processIssues(store, REPO, [issue(8, false, 8000)]);
    const [labels] = await processIssues(store, REPO, [{ ...issue(8, true, 7500), event_id: 'older' }]);
    expect(labels).toEqual([]);
    expect(store.peek(REPO, 'issue', '8')).toMatchObject({ isBug: false, at: 8000 });
  });
});
