import { describe, expect, it } from 'vitest';
import {
  applyHunks,
  blameCandidates,
  isBlameworthy,
  isReformatted,
  keptLines,
  normalizedLines,
  passOtherParents,
} from '../../src/domain/blame.ts';
import type { CommitInput, FileChange, Hunk } from '../../src/domain/commit.ts';
import { closedIssues, isFixMessage, referencedIssues } from '../../src/domain/fix.ts';
import type { FileLines } from '../../src/domain/history.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { blameAt, processCommits, processIssues } from '../../src/domain/processor.ts';
import { hunk } from '../helpers/hunks.ts';

const REPO = 'github:acme/calc';
const sha = (n: number): string => n.toString(16).padStart(40, 'c');
const C = [0, 1, 2, 3, 4, 5, 6, 7].map(sha);

function change(path: string, hunks: Hunk[] | null, extra: Partial<FileChange> = {}): FileChange {
  const added = (hunks ?? []).reduce((s, h) => s + h.new_lines, 0);
  const deleted = (hunks ?? []).reduce((s, h) => s + h.old_lines, 0);
  return {
    path,
    old_path: null,
    status: 'modified',
    lines_added: added,
    lines_deleted: deleted,
    binary: false,
    hunks,
    ...extra,
  };
}

function commit(i: number, author: string, time: number, message: string, files: FileChange[]): CommitInput {
  return {
    repo_id: REPO,
    sha: C[i]!,
    parents: i > 1 ? [sha(i - 1)] : [],
    author_id: author,
    commit_time: time,
    message,
    files,
  };
}

const blameOf = (lines: FileLines | null | undefined): string[] =>
  lines ? lines.origin.map((i) => lines.shas[i]!) : [];

describe('fix detection from messages', () => {
  it('finds fix keywords as whole words only', () => {
    for (const m of [
      'Fix off-by-one',
      'fixes #12',
      'Fixed crash on start',
      'bugfix: header',
      'Repair broken link',
      'hotfix',
      'wrong status code',
    ]) {
      expect(isFixMessage(m), m).toBe(true);
    }
    for (const m of [
      'Add prefix option',
      'Use fixtures in tests',
      'debug logging',
      'Support app.patch()',
      'Add error handler',
    ]) {
      expect(isFixMessage(m), m).toBe(false);
    }
  });

  it('reads referenced and closed issue numbers', () => {
    expect(referencedIssues('See #12 and GH-7, not owner/repo#3 or a#4')).toEqual([7, 12]);
    expect(closedIssues('Fixes #12, #13 and #14. Closes GH-2; resolved: #9. Mentions #100')).toEqual([
      2, 9, 12, 13, 14,
    ]);
    expect(closedIssues('Fix the #hashtag parser')).toEqual([]);
  });
});

describe('applyHunks (forward blame from zero-context hunks)', () => {
  const v1 = applyHunks(
    undefined,
    change('a.js', [hunk(0, [], 1, ['one', 'two', 'three'])], { status: 'added' }),
    C[1]!,
    true,
  );

  it('builds a new file and blames its lines on the adding commit', () => {
    expect(v1.kind).toBe('applied');
    if (v1.kind !== 'applied') return;
    expect(v1.after.text).toEqual(['one', 'two', 'three']);
    expect(blameOf(v1.after)).toEqual([C[1], C[1], C[1]]);
  });

  it('replaces, inserts and deletes, reporting each deleted line with its origin', () => {
    if (v1.kind !== 'applied') throw new Error('setup');
    // Replace line 2, insert after line 3, delete line 1.
    const out = applyHunks(
      v1.after,
      change('a.js', [hunk(1, ['one'], 0, []), hunk(2, ['two'], 1, ['TWO']), hunk(3, [], 3, ['four'])]),
      C[2]!,
      false,
    );
    expect(out.kind).toBe('applied');
    if (out.kind !== 'applied') return;
    expect(out.after.text).toEqual(['TWO', 'three', 'four']);
    expect(blameOf(out.after)).toEqual([C[2], C[1], C[2]]);
    expect(out.deleted).toEqual([
      { number: 1, content: 'one', origin: C[1] },
      { number: 2, content: 'two', origin: C[1] },
    ]);
  });

  it('gives up (unknown) on numstat-only, binary, unknown-before, or contradicting hunks', () => {
    if (v1.kind !== 'applied') throw new Error('setup');
    expect(applyHunks(v1.after, change('a.js', null), C[2]!, false)).toMatchObject({
      kind: 'unknown',
      reason: 'no hunks (numstat only)',
    });
    expect(applyHunks(v1.after, change('a.js', [], { binary: true }), C[2]!, false)).toMatchObject({
      kind: 'unknown',
      reason: 'binary file',
    });
    expect(applyHunks(undefined, change('a.js', [hunk(1, ['x'], 1, ['y'])]), C[2]!, false).kind).toBe('unknown');
    expect(applyHunks(v1.after, change('a.js', [hunk(2, ['not two'], 2, ['y'])]), C[2]!, false)).toMatchObject({
      kind: 'unknown',
      reason: 'deleted line 2 does not match the known text of the file',
    });
    expect(applyHunks(v1.after, change('a.js', [hunk(3, ['three', 'four'], 3, [])]), C[2]!, false)).toMatchObject({
      kind: 'unknown',
    });
    expect(applyHunks(v1.after, change('a.js', [hunk(2, ['two'], 5, ['y'])]), C[2]!, false)).toMatchObject({
      kind: 'unknown',
    });
  });

  it('blames only lines whose removal can fix something', () => {
    expect(isBlameworthy('  return a + 1;')).toBe(true);
    for (const cosmetic of ['', '   ', '// note', '  # note', ' * doc', '/* c */', '}', '  });', '<!-- x -->'])
      expect(isBlameworthy(cosmetic), cosmetic).toBe(false);
    expect(isBlameworthy('#include <stdio.h>')).toBe(true);
    expect(
      blameCandidates([
        { number: 1, content: 'x = 1', origin: 'a' },
        { number: 2, content: '// c', origin: 'b' },
        { number: 3, content: 'y = 2', origin: 'a' },
      ]),
    ).toEqual({ a: 2 });
    expect(isBlameworthy(`Subproject commit ${'a'.repeat(40)}`)).toBe(false);
  });

  it('leaves out lines the same change adds back with only their whitespace changed', () => {
    const added = normalizedLines([hunk(1, [], 1, ['if (ok) {', '    run(a,  b);', '}'])]);
    expect(isReformatted('  run(a, b);', added)).toBe(true);
    expect(isReformatted('  run(a, c);', added)).toBe(false);
    expect(
      blameCandidates(
        [
          { number: 1, content: 'run(a, b);', origin: 'a' },
          { number: 2, content: 'stop(a);', origin: 'b' },
        ],
        added,
      ),
    ).toEqual({ b: 1 });
  });
});

describe("merge blame (git blame passes a merge's changed lines to its other parents)", () => {
  const lines = (origins: string[], text: string[]): FileLines => {
    const shas = [...new Set(origins)];
    return { shas, origin: origins.map((o) => shas.indexOf(o)), text };
  };

  it('maps each kept line of a file to its line in the other, by a shortest edit script', () => {
    expect([...keptLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e'])!]).toEqual([0, -1, 2, 3, -1]);
    expect([...keptLines(['x', 'y'], ['y', 'x'])!].filter((i) => i >= 0)).toHaveLength(1);
    expect(keptLines(['a'], ['b', 'c', 'd'], 2)).toBeNull();
  });

  it("gives the merge's own lines to the other parent where it kept them, and the whole file when it equals it", () => {
    // First parent saw [p1, p1]; the merge adds two lines, one of which the second parent wrote.
    const afterFirst = lines(['p1', 'm', 'm', 'p1'], ['a', 'from side', 'resolved', 'b']);
    const first = lines(['p1', 'p1'], ['a', 'b']);
    const side = lines(['s0', 's1', 's0'], ['a', 'from side', 'b']);
    const merged = passOtherParents(afterFirst, 'm', first, [side])!;
    expect(merged.origin.map((i) => merged.shas[i])).toEqual(['p1', 's1', 'm', 'p1']);
    const whole = passOtherParents(lines(['p1', 'm'], ['a', 'c']), 'm', first, [lines(['s0', 's2'], ['a', 'c'])])!;
    expect(whole.origin.map((i) => whole.shas[i])).toEqual(['s0', 's2']);
  });
});

describe('labels: message fixes, issue links and SZZ', () => {
  const f = ['function f(a) {', '  return a + 1;', '}'];
  const commits = [
    commit(1, 'alice', 1000, 'Add f', [change('src/x.js', [hunk(0, [], 1, f)], { status: 'added' })]),
    commit(2, 'bob', 2000, 'Tweak f', [
      change('src/x.js', [hunk(2, ['  return a + 1;'], 2, ['  return a - 1;']), hunk(3, [], 4, ['// end'])]),
    ]),
    // A message fix: changes bob's line and deletes bob's comment (cosmetic, not blamed).
    commit(3, 'carol', 3000, 'Fix off-by-one in f', [
      change('src/x.js', [hunk(2, ['  return a - 1;'], 2, ['  return a;']), hunk(4, ['// end'], 3, [])]),
    ]),
    // Closes an issue nobody has classified yet: not a fix (yet).
    commit(4, 'dave', 4000, 'Widen f. Closes #7', [
      change('src/x.js', [hunk(1, ['function f(a) {'], 1, ['function f(a, b) {'])]),
    ]),
  ];

  it('labels a message fix and the commits that last touched the lines it changed', async () => {
    const store = new InMemoryHistoryStore();
    const results = await processCommits(store, REPO, commits);
    expect(results[0]!.outputs!.labels).toEqual([]);
    expect(results[1]!.outputs!.labels).toEqual([]);
    expect(results[2]!.outputs!.labels).toEqual([
      {
        event_id: `${REPO}:${C[3]}:message_pattern:3000`,
        event_time: 3000,
        repo_id: REPO,
        sha: C[3],
        is_bug_inducing: false,
        is_fix: true,
        method: 'message_pattern',
        fix_shas: [],
        issue_numbers: [],
        confidence: null,
        label_known_at: 3000,
      },
      {
        event_id: `${REPO}:${C[2]}:szz:3000`,
        event_time: 3000,
        repo_id: REPO,
        sha: C[2],
        is_bug_inducing: true,
        is_fix: false,
        method: 'szz',
        fix_shas: [C[3]],
        issue_numbers: [],
        confidence: null,
        label_known_at: 3000,
      },
    ]);
    expect(results[3]!.outputs!.labels).toEqual([]);
    expect(blameOf(await blameAt(store, REPO, C[4]!, 'src/x.js'))).toEqual([C[4], C[3], C[1]]);
    expect(store.peek(REPO, 'commit', C[4]!)).toMatchObject({ fix: false, blamed: { [C[1]!]: 1 }, fullyBlamed: true });
    expect(store.peek(REPO, 'commit', C[2]!)?.inducedBy).toEqual({ [C[3]!]: 3000 });
  });

  it('links a commit to a bug issue classified later, known from the issue time, and re-emits the same on redelivery', async () => {
    const store = new InMemoryHistoryStore();
    await processCommits(store, REPO, commits);
    const bug7 = {
      event_id: `${REPO}:issue:7:labeled:5000`,
      repo_id: REPO,
      number: 7,
      is_bug: true,
      referenced_commit_shas: [],
      event_time: 5000,
    };
    const [labels] = await processIssues(store, REPO, [bug7]);
    expect(
      labels!.map((l) => [l.sha, l.method, l.is_fix, l.is_bug_inducing, l.issue_numbers, l.fix_shas, l.label_known_at]),
    ).toEqual([
      [C[4], 'issue_link', true, false, [7], [], 5000],
      [C[1], 'szz', false, true, [], [C[4]], 5000],
    ]);
    const [again] = await processIssues(store, REPO, [bug7]);
    expect(again).toEqual(labels);
    expect(store.peek(REPO, 'commit', C[4]!)).toMatchObject({ fix: true, fixesIssues: { '7': 5000 } });
  });

  it('remembers an issue that names a commit before the commit arrives', async () => {
    const store = new InMemoryHistoryStore();
    await processCommits(store, REPO, commits);
    await processIssues(store, REPO, [
      { repo_id: REPO, number: 9, is_bug: true, referenced_commit_shas: [C[5]!], event_time: 6000 },
    ]);
    expect(store.peek(REPO, 'pending', C[5]!)).toEqual(['9']);
    const [r] = await processCommits(store, REPO, [
      commit(5, 'erin', 7000, 'Default b', [
        change('src/x.js', [hunk(1, ['function f(a, b) {'], 1, ['function f(a, b = 0) {'])]),
      ]),
    ]);
    expect(r!.outputs!.labels.map((l) => [l.sha, l.method, l.issue_numbers, l.fix_shas, l.label_known_at])).toEqual([
      [C[5], 'issue_link', [9], [], 7000],
      [C[4], 'szz', [], [C[5]], 7000],
    ]);
    expect(store.peek(REPO, 'pending', C[5]!)).toBeUndefined();
  });

  it('with numstat-only changes labels fixes but blames nothing', async () => {
    const store = new InMemoryHistoryStore();
    const results = await processCommits(store, REPO, [
      commit(1, 'alice', 1000, 'Add f', [change('src/x.js', [hunk(0, [], 1, f)], { status: 'added' })]),
      commit(2, 'bob', 2000, 'Tweak f', [change('src/x.js', null, { lines_added: 1, lines_deleted: 1 })]),
      commit(3, 'carol', 3000, 'Fix f', [change('src/x.js', [hunk(2, ['  return a - 1;'], 2, ['  return a;'])])]),
    ]);
    expect(await blameAt(store, REPO, C[3]!, 'src/x.js')).toBeUndefined();
    expect(results[2]!.outputs!.labels.map((l) => l.method)).toEqual(['message_pattern']);
    expect(store.peek(REPO, 'commit', C[3]!)).toMatchObject({ fix: true, blamed: {}, fullyBlamed: false });
  });

  it('moves blame with a rename and forgets it on deletion', async () => {
    const store = new InMemoryHistoryStore();
    await processCommits(store, REPO, [
      commit(1, 'alice', 1000, 'Add f', [change('src/x.js', [hunk(0, [], 1, f)], { status: 'added' })]),
      commit(2, 'bob', 2000, 'Move', [
        change('lib/x.js', [hunk(2, ['  return a + 1;'], 2, ['  return a + 2;'])], {
          old_path: 'src/x.js',
          status: 'renamed',
        }),
      ]),
    ]);
    expect(await blameAt(store, REPO, C[2]!, 'src/x.js')).toBeNull();
    expect(blameOf(await blameAt(store, REPO, C[2]!, 'lib/x.js'))).toEqual([C[1], C[2], C[1]]);
    await processCommits(store, REPO, [
      commit(3, 'bob', 3000, 'Drop', [
        change('lib/x.js', [hunk(1, ['function f(a) {', '  return a + 2;', '}'], 0, [])], { status: 'deleted' }),
      ]),
    ]);
    expect(await blameAt(store, REPO, C[3]!, 'lib/x.js')).toBeNull();
    // The commit before the deletion still sees the file: a branch started from it blames it.
    expect(blameOf(await blameAt(store, REPO, C[2]!, 'lib/x.js'))).toEqual([C[1], C[2], C[1]]);
  });
});
