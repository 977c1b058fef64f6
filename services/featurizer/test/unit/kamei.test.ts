import { describe, expect, it } from 'vitest';
import { featureNames, jitChangeMetricsV1, validateFeatureValues } from '@omen/features';
import type { CommitInput, FileChange } from '../../src/domain/commit.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { DAY_MS, applyCommit, changeEntropy, recentExperience, YEAR_MS } from '../../src/domain/kamei.ts';
import { processCommits } from '../../src/domain/processor.ts';
import type { HistoryStore, RepoWrite } from '../../src/domain/history.ts';

const REPO = 'github:acme/parser';
let shaCounter = 0;
const sha = (): string => (++shaCounter).toString(16).padStart(40, '0');

function file(path: string, added: number, deleted: number, extra: Partial<FileChange> = {}): FileChange {
  return {
    path,
    old_path: null,
    status: 'unknown',
    lines_added: added,
    lines_deleted: deleted,
    binary: false,
    hunks: null,
    ...extra,
  };
}

function commit(author: string, day: number, message: string, files: FileChange[], parents = 1): CommitInput {
  return {
    repo_id: REPO,
    sha: sha(),
    parents: Array.from({ length: parents }, () => 'f'.repeat(40)),
    author_id: author,
    commit_time: day * DAY_MS,
    message,
    files,
  };
}

// A six-commit history whose metrics are computed by hand in the comments below.
function history(): CommitInput[] {
  return [
    // C1 alice day 0: two new files.
    commit('alice', 0, 'Initial commit', [
      file('src/a.js', 10, 0, { status: 'added' }),
      file('README.md', 5, 0, { status: 'added' }),
    ]),
    // C2 bob day 10: edits a.js, adds src/lib/b.js.
    commit('bob', 10, 'Fix crash in parser', [
      file('src/a.js', 4, 2, { status: 'modified' }),
      file('src/lib/b.js', 6, 0),
    ]),
    // C3 alice day 400: renames a.js to lib/a.js, edits README, deletes b.js (status unknown, numstat only).
    commit('alice', 400, 'Move parser', [
      file('lib/a.js', 1, 1, { old_path: 'src/a.js', status: 'renamed' }),
      file('README.md', 2, 0),
      file('src/lib/b.js', 0, 6),
    ]),
    // C4 bob day 401: a merge; its diff against the first parent is not counted, and it never
    // enters the history (its changes came with the commits it merged).
    commit('bob', 401, "Merge branch 'fix-x'", [file('lib/a.js', 3, 0, { status: 'modified' })], 2),
    // C5 bob day 402: shrinks lib/a.js to one line.
    commit('bob', 402, 'Shrink parser', [file('lib/a.js', 0, 11, { status: 'modified' })]),
    // C6 carol day 403: copies lib/a.js, re-creates src/a.js from scratch.
    commit('carol', 403, 'Copy', [
      file('lib/c.js', 2, 0, { old_path: 'lib/a.js', status: 'copied' }),
      file('src/a.js', 1, 0, { status: 'added' }),
    ]),
  ];
}

const h = (...p: number[]): number => -p.reduce((s, x) => s + x * Math.log2(x), 0);

const expected = [
  {
    ns: 2,
    nd: 2,
    nf: 2,
    entropy: h(2 / 3, 1 / 3),
    la: 15,
    ld: 0,
    lt: 0,
    fix: 0,
    ndev: 0,
    age: 0,
    nuc: 0,
    exp: 0,
    rexp: 0,
    sexp: 0,
  },
  {
    ns: 1,
    nd: 2,
    nf: 2,
    entropy: 1,
    la: 10,
    ld: 2,
    lt: 10,
    fix: 1,
    ndev: 1,
    age: 10,
    nuc: 1,
    exp: 0,
    rexp: 0,
    sexp: 0,
  },
  // lt 12 (a.js via rename) + 5 + 6; ages 390, 400, 390; alice's day-0 commit is 1 whole year back: 1/2.
  {
    ns: 3,
    nd: 3,
    nf: 3,
    entropy: h(0.2, 0.2, 0.6),
    la: 3,
    ld: 7,
    lt: 23,
    fix: 0,
    ndev: 2,
    age: 1180 / 3,
    nuc: 2,
    exp: 1,
    rexp: 0.5,
    sexp: 1,
  },
  // The merge counts no files; bob: one prior commit (day 10), 391 days back.
  { ns: 0, nd: 0, nf: 0, entropy: 0, la: 0, ld: 0, lt: 0, fix: 1, ndev: 0, age: 0, nuc: 0, exp: 1, rexp: 0.5, sexp: 0 },
  // The merge added nothing: still 12 lines, changes {1,2,3}, bob's experience 1.
  {
    ns: 1,
    nd: 1,
    nf: 1,
    entropy: 0,
    la: 0,
    ld: 11,
    lt: 12,
    fix: 0,
    ndev: 2,
    age: 2,
    nuc: 3,
    exp: 1,
    rexp: 0.5,
    sexp: 0,
  },
  // lib/c.js inherits lib/a.js (1 line, changes 1,2,3,4); src/a.js (renamed away in C3) starts fresh.
  {
    ns: 2,
    nd: 2,
    nf: 2,
    entropy: h(2 / 3, 1 / 3),
    la: 3,
    ld: 0,
    lt: 1,
    fix: 0,
    ndev: 2,
    age: 1,
    nuc: 4,
    exp: 0,
    rexp: 0,
    sexp: 0,
  },
];

function expectValues(actual: Record<string, number>, wanted: Record<string, number>): void {
  expect(Object.keys(actual)).toEqual(featureNames(jitChangeMetricsV1));
  for (const [k, v] of Object.entries(wanted)) expect(actual[k], k).toBeCloseTo(v, 10);
}

describe('change metrics over a hand-computed history', () => {
  it('matches every metric of every commit, one commit per batch', async () => {
    const store = new InMemoryHistoryStore();
    const commits = history();
    for (const [i, c] of commits.entries()) {
      const [r] = await processCommits(store, REPO, [c]);
      expectValues(r!.outputs!.jit, expected[i]!);
      expect(validateFeatureValues(jitChangeMetricsV1, r!.outputs!.jit)).toEqual([]);
    }
  });

  it('moves history with renames, forgets deletions, keeps copies and re-created paths apart', async () => {
    const store = new InMemoryHistoryStore();
    await processCommits(store, REPO, history());
    expect(store.keys(REPO, 'file')).toEqual(['README.md', 'lib/a.js', 'lib/c.js', 'src/a.js']);
    expect(store.peek(REPO, 'file', 'lib/a.js')).toEqual({
      lines: 1,
      lastChangedAt: 402 * DAY_MS,
      authors: ['alice', 'bob'],
      changes: [1, 2, 3, 4],
    });
    expect(store.peek(REPO, 'file', 'lib/c.js')).toEqual({
      lines: 3,
      lastChangedAt: 403 * DAY_MS,
      authors: ['alice', 'bob', 'carol'],
      changes: [1, 2, 3, 4, 5],
    });
    expect(store.peek(REPO, 'file', 'src/a.js')).toEqual({
      lines: 1,
      lastChangedAt: 403 * DAY_MS,
      authors: ['carol'],
      changes: [5],
    });
    expect(store.peek(REPO, 'file', 'README.md')).toEqual({
      lines: 7,
      lastChangedAt: 400 * DAY_MS,
      authors: ['alice'],
      changes: [1, 3],
    });
  });

  it('gives one answer with or without file statuses: only numstat and renames decide', async () => {
    // What a numstat-only source (the JSONL export) sends for the same commits: renames keep
    // their old path, every other status is unknown.
    const numstatOnly = (c: CommitInput): CommitInput => ({
      ...c,
      files: c.files.map((f) => ({
        ...f,
        status: f.old_path !== null && f.old_path !== f.path ? 'renamed' : 'unknown',
      })),
    });
    const commits = [
      ...history(),
      // Deletes src/lib/x.js with a count the history does not know (a merge resolved a conflict in
      // it): the numstat rule cannot see a deletion, so the history goes on under both.
      commit('dave', 404, 'Add x', [file('src/lib/x.js', 9, 0, { status: 'added' })]),
      commit('dave', 405, 'Drop x', [file('src/lib/x.js', 0, 7, { status: 'deleted' })]),
      // Re-adds it: an explicit `added` does not start a fresh history either.
      commit('erin', 406, 'Bring x back', [file('src/lib/x.js', 4, 0, { status: 'added' })]),
    ];
    const withStatus = await processCommits(new InMemoryHistoryStore(), REPO, commits);
    const without = await processCommits(new InMemoryHistoryStore(), REPO, commits.map(numstatOnly));
    expect(withStatus.map((r) => r.outputs!.jit)).toEqual(without.map((r) => r.outputs!.jit));
    expectValues(withStatus[8]!.outputs!.jit, { lt: 2, ndev: 1, nuc: 2, exp: 0, age: 1 });
  });

  it('gives the same values and history in one batch as one commit at a time', async () => {
    const commits = history();
    const one = new InMemoryHistoryStore();
    const single = [];
    const now = (): number => 42;
    for (const c of commits) single.push(...(await processCommits(one, REPO, [c], { now })));
    const batched = new InMemoryHistoryStore();
    const all = await processCommits(batched, REPO, commits, { now });
    expect(all).toEqual(single);
    expect(batched.writes).toBe(1);
    for (const p of one.keys(REPO, 'file')) expect(batched.peek(REPO, 'file', p)).toEqual(one.peek(REPO, 'file', p));
  });
});

describe('exactly-once history under redelivery', () => {
  it('replays a redelivered commit with its recorded values and does not count it again', async () => {
    const commits = history();
    const store = new InMemoryHistoryStore();
    const first = await processCommits(store, REPO, commits.slice(0, 3));
    // The consumer crashed before committing offsets: C2..C4 arrive again.
    const again = await processCommits(store, REPO, commits.slice(1, 4));
    expect(again.map((r) => r.replayed)).toEqual([true, true, false]);
    expect(again[0]!.outputs!.jit).toEqual(first[1]!.outputs!.jit);
    expect(again[1]!.outputs!.jit).toEqual(first[2]!.outputs!.jit);
    const rest = await processCommits(store, REPO, commits.slice(4));
    expectValues(rest[0]!.outputs!.jit, expected[4]!);
    expectValues(rest[1]!.outputs!.jit, expected[5]!);
    expect(store.peek(REPO, 'file', 'lib/c.js')?.changes).toEqual([1, 2, 3, 4, 5]);
  });

  it('counts a commit listed twice in one batch once', async () => {
    const commits = history();
    const store = new InMemoryHistoryStore();
    const results = await processCommits(store, REPO, [commits[0]!, commits[1]!, commits[1]!, commits[2]!]);
    expect(results.map((r) => r.replayed)).toEqual([false, false, true, false]);
    expectValues(results[3]!.outputs!.jit, expected[2]!);
  });

  it('recomputes when another writer moved the history between read and write', async () => {
    const commits = history();
    const inner = new InMemoryHistoryStore();
    let raced = false;
    // Another instance applies C1 right after our first read: our first write must lose.
    const racing: HistoryStore = {
      load: async (repo, req) => {
        const snap = await inner.load(repo, req);
        if (!raced) {
          raced = true;
          await processCommits(inner, REPO, [commits[0]!]);
        }
        return snap;
      },
      write: (repo, w: RepoWrite) => inner.write(repo, w),
    };
    const results = await processCommits(racing, REPO, commits.slice(0, 2));
    expect(results.map((r) => r.replayed)).toEqual([true, false]);
    expectValues(results[1]!.outputs!.jit, expected[1]!);
    expect(inner.peek(REPO, 'file', 'src/a.js')?.changes).toEqual([1, 2]);
  });

  it('gives up with ABORTED when it never wins the race', async () => {
    const inner = new InMemoryHistoryStore();
    const losing: HistoryStore = { load: (r, q) => inner.load(r, q), write: () => Promise.resolve(false) };
    await expect(processCommits(losing, REPO, history().slice(0, 1), { maxAttempts: 3 })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('refuses a batch mixing repositories', async () => {
    const c = { ...history()[0]!, repo_id: 'github:other/repo' };
    await expect(processCommits(new InMemoryHistoryStore(), REPO, [c])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('metric edge cases', () => {
  const empty = { seq: 0, file: () => undefined, developer: () => undefined };

  it('counts binary files in NF/ND/NS with no lines, and an empty commit as all zeros', () => {
    const c = commit('dave', 1, 'Add logo', [file('img/logo.png', 0, 0, { binary: true }), file('Readme.md', 3, 0)]);
    const { values } = applyCommit(empty, c);
    expect(values).toMatchObject({ ns: 2, nd: 2, nf: 2, entropy: 0, la: 3, ld: 0 });
    const none = applyCommit(empty, commit('dave', 1, 'Empty', [])).values;
    expect(Object.values(none).every((v) => v === 0)).toBe(true);
  });

  it('floors negative ages from clock skew at 0', () => {
    const view = {
      seq: 1,
      file: () => ({ lines: 3, lastChangedAt: 10 * DAY_MS, authors: ['x'], changes: [1] }),
      developer: () => ({ times: [20 * DAY_MS], subsystemSets: {} }),
    };
    const { values } = applyCommit(view, commit('x', 5, 'Edit', [file('a', 1, 0)]));
    expect(values['age']).toBe(0);
    expect(values['rexp']).toBe(1);
  });

  it('floors LT at 0 when the history is incomplete', () => {
    const view = {
      seq: 1,
      file: () => ({ lines: -4, lastChangedAt: 0, authors: ['x'], changes: [1] }),
      developer: () => undefined,
    };
    expect(applyCommit(view, commit('x', 1, 'Edit', [file('a', 1, 0, { status: 'modified' })])).values['lt']).toBe(0);
  });

  it('weighs experience by whole Julian years', () => {
    const now = 10 * YEAR_MS;
    expect(recentExperience([now - 2.5 * YEAR_MS, now - YEAR_MS, now - YEAR_MS + 1, now], now)).toBeCloseTo(
      1 / 3 + 1 / 2 + 1 + 1,
      12,
    );
    // Future times (clock skew) weigh 1; a gap of empty years changes nothing.
    expect(recentExperience([now - 9 * YEAR_MS, now + 5], now)).toBeCloseTo(1 / 10 + 1, 12);
    expect(recentExperience([], now)).toBe(0);
  });

  it('computes REXP like the plain per-commit sum on random histories', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 50; k++) {
      const now = Math.floor(rand() * 40 * YEAR_MS);
      const times = Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 45 * YEAR_MS)).sort(
        (a, b) => a - b,
      );
      const plain = times.reduce((r, t) => r + 1 / (Math.floor(Math.max(0, now - t) / YEAR_MS) + 1), 0);
      expect(recentExperience(times, now)).toBeCloseTo(plain, 9);
    }
  });

  it('computes entropy in bits and 0 for nothing modified', () => {
    expect(changeEntropy([5, 5, 5, 5])).toBeCloseTo(2, 12);
    expect(changeEntropy([7])).toBe(0);
    expect(changeEntropy([0, 0])).toBe(0);
  });

  it('does not mutate the view it reads', () => {
    const rec = { lines: 3, lastChangedAt: 0, authors: ['x'], changes: [1] };
    const dev = { times: [0], subsystemSets: { '.': 1 } };
    const view = { seq: 1, file: () => rec, developer: () => dev };
    applyCommit(view, commit('y', 1, 'Edit', [file('a', 1, 0)]));
    expect(rec).toEqual({ lines: 3, lastChangedAt: 0, authors: ['x'], changes: [1] });
    expect(dev).toEqual({ times: [0], subsystemSets: { '.': 1 } });
  });
});

describe('stream order', () => {
  it('reports a commit featurized before one of its parents, whose history metrics lack it', async () => {
    const root = { ...commit('alice', 0, 'root', [file('a.js', 3, 0)]), parents: [] };
    const child = { ...commit('bob', 1, 'edit', [file('a.js', 1, 0)]), parents: [root.sha] };
    const merge = { ...commit('bob', 2, 'merge', []), parents: [child.sha, root.sha] };
    // Parents first, across batches and within one: nothing to report.
    const inOrder = new InMemoryHistoryStore();
    const first = await processCommits(inOrder, REPO, [root]);
    const rest = await processCommits(inOrder, REPO, [child, merge]);
    expect([...first, ...rest].map((r) => r.missingParents)).toEqual([undefined, undefined, undefined]);
    // The child first: computed on a history without its parent (LT 0 instead of 3), and said so.
    const reversed = await processCommits(new InMemoryHistoryStore(), REPO, [child, root]);
    expect(reversed.map((r) => r.missingParents)).toEqual([[root.sha], undefined]);
    expect(reversed[0]!.outputs!.jit['lt']).toBe(0);
    expect(rest[0]!.outputs!.jit['lt']).toBe(3);
  });
});
