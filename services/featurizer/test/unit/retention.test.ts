import { describe, expect, it } from 'vitest';
import { createMetrics } from '@omen/telemetry';
import type { Metrics } from '@omen/telemetry';
import { configProblems } from '../../src/config.ts';
import type { CommitInput, FileChange, Hunk } from '../../src/domain/commit.ts';
import { emptyChanges } from '../../src/domain/history.ts';
import type { CommitOutputs, LegacyCommitRecord } from '../../src/domain/history.ts';
import type { CommitLabel } from '../../src/domain/labels.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits, processIssues } from '../../src/domain/processor.ts';
import type { CommitResult, IssueInput } from '../../src/domain/processor.ts';
import { DEFAULT_RETENTION, checkRetention, outputsToPrune, pendingCutoff } from '../../src/domain/retention.ts';
import type { Pruned } from '../../src/domain/retention.ts';
import type { CommitRows, FeatureRow } from '../../src/domain/rows.ts';
import { FeaturizerPipeline, countPruned } from '../../src/pipeline.ts';
import type { FeatureSinks } from '../../src/pipeline.ts';
import { EXPRESS_REPO, readExpressCommits } from '../helpers/express.ts';
import { hunk } from '../helpers/hunks.ts';

const express = readExpressCommits().slice(0, 400);
const now = (): number => 7;

async function run(
  store: InMemoryHistoryStore,
  commits: readonly CommitInput[],
  batch: number,
): Promise<CommitResult[]> {
  const out: CommitResult[] = [];
  for (let i = 0; i < commits.length; i += batch)
    out.push(...(await processCommits(store, EXPRESS_REPO, commits.slice(i, i + batch), { now })));
  return out;
}

function summed(calls: Pruned[]): Pruned {
  return calls.reduce((a, p) => ({ outputs: a.outputs + p.outputs, pending: a.pending + p.pending }), {
    outputs: 0,
    pending: 0,
  });
}

describe('outputsToPrune', () => {
  const r = { commitOutputs: 10, sweepLimit: 1000 };
  it('keeps everything while the window is not full', () => {
    expect(outputsToPrune(0, 0, r)).toBe(0);
    expect(outputsToPrune(10, 4, r)).toBe(0);
  });
  it('drops as many as a write adds once the window is full', () => {
    expect(outputsToPrune(11, 1, r)).toBe(1);
    expect(outputsToPrune(15, 5, r)).toBe(5);
  });
  it('never drops what the write itself applies, even with a window smaller than the write', () => {
    expect(outputsToPrune(30, 30, r)).toBe(0);
    expect(outputsToPrune(35, 30, r)).toBe(5);
  });
  it('drains a lowered window by at most the sweep limit beyond the commits it applies', () => {
    expect(outputsToPrune(100, 2, { commitOutputs: 10, sweepLimit: 20 })).toBe(22);
    expect(outputsToPrune(100, 0, { commitOutputs: 10, sweepLimit: 0 })).toBe(0);
    expect(outputsToPrune(25, 0, { commitOutputs: 10, sweepLimit: 1000 })).toBe(15);
  });
  it('dates the pending cutoff from the write', () => {
    expect(pendingCutoff(10_000, { pendingMs: 4000 })).toBe(6000);
  });
  it('refuses a retention the arithmetic cannot use, naming the field', () => {
    expect(() => checkRetention({ ...DEFAULT_RETENTION, commitOutputs: 0 })).toThrow(
      /retention\.commitOutputs must be an integer >= 1, got 0/,
    );
    expect(() => checkRetention({ ...DEFAULT_RETENTION, pendingMs: -1 })).toThrow(/pendingMs/);
    expect(() => checkRetention({ ...DEFAULT_RETENTION, sweepLimit: 1.5 })).toThrow(/sweepLimit/);
    expect(() => new InMemoryHistoryStore({ retention: { commitOutputs: Number.NaN } })).toThrow(/commitOutputs/);
  });
});

describe('the redelivery window (in-memory store, same rules as Redis)', () => {
  it('keeps the outputs of the last N applied commits and the compact record of every commit', async () => {
    const pruned: Pruned[] = [];
    const store = new InMemoryHistoryStore({ retention: { commitOutputs: 50 }, onPrune: (p) => pruned.push(p) });
    const commits = express.slice(0, 137);
    await run(store, commits, 25);
    const last = commits.slice(-50).map((c) => c.sha);
    expect(store.window(EXPRESS_REPO)).toEqual(last);
    expect(store.keys(EXPRESS_REPO, 'outputs')).toEqual([...last].sort());
    expect(store.keys(EXPRESS_REPO, 'commit')).toHaveLength(137);
    expect(summed(pruned)).toEqual({ outputs: 87, pending: 0 });
  });

  it('re-emits identical outputs for a redelivery inside the window, and nothing (without counting it again) beyond it', async () => {
    const store = new InMemoryHistoryStore({ retention: { commitOutputs: 50 } });
    const first = await run(store, express.slice(0, 150), 30);
    const writes = store.writes;
    const inside = await processCommits(store, EXPRESS_REPO, express.slice(110, 150), { now: () => 99 });
    expect(inside.every((r) => r.replayed)).toBe(true);
    expect(inside.map((r) => r.outputs)).toEqual(first.slice(110, 150).map((r) => r.outputs));
    const beyond = await processCommits(store, EXPRESS_REPO, express.slice(0, 5), { now: () => 99 });
    expect(beyond).toEqual(express.slice(0, 5).map((c) => ({ sha: c.sha, outputs: null, replayed: true, gap: false })));
    expect(store.writes).toBe(writes);
  });

  it('computes the features and labels of new commits as an unpruned store does, through redeliveries', async () => {
    const pruned = new InMemoryHistoryStore({ retention: { commitOutputs: 20 } });
    const full = new InMemoryHistoryStore({ retention: { commitOutputs: 1_000_000 } });
    const a = await run(pruned, express.slice(0, 300), 20);
    const b = await run(full, express.slice(0, 300), 20);
    expect(a).toEqual(b);
    // An old batch comes again (an offset reset), then the stream goes on.
    await run(pruned, express.slice(40, 80), 20);
    await run(full, express.slice(40, 80), 20);
    expect(await run(pruned, express.slice(300), 20)).toEqual(await run(full, express.slice(300), 20));
    for (const ns of ['file', 'dev', 'commit', 'issue'] as const) {
      expect(pruned.keys(EXPRESS_REPO, ns), ns).toEqual(full.keys(EXPRESS_REPO, ns));
      for (const k of full.keys(EXPRESS_REPO, ns))
        expect(pruned.peek(EXPRESS_REPO, ns, k), `${ns}/${k}`).toEqual(full.peek(EXPRESS_REPO, ns, k));
    }
    expect(pruned.keys(EXPRESS_REPO, 'outputs')).toHaveLength(20);
  });
});

// Labels read the compact record at any distance: SZZ (the blamed commit's fix status and
// inducers) and issue links (the fix's candidates and whether its message made it a fix).
describe('labels after the outputs were pruned', () => {
  const REPO = 'github:acme/calc';
  const sha = (n: number): string => n.toString(16).padStart(40, 'c');
  const change = (hunks: Hunk[], extra: Partial<FileChange> = {}): FileChange => ({
    path: 'src/x.js',
    old_path: null,
    status: 'modified',
    lines_added: hunks.reduce((s, h) => s + h.new_lines, 0),
    lines_deleted: hunks.reduce((s, h) => s + h.old_lines, 0),
    binary: false,
    hunks,
    ...extra,
  });
  const commit = (i: number, time: number, message: string, files: FileChange[]): CommitInput => ({
    repo_id: REPO,
    sha: sha(i),
    parents: i > 1 ? [sha(i - 1)] : [],
    author_id: `a${i % 3}`,
    commit_time: time,
    message,
    files,
  });
  const commits = [
    commit(1, 1000, 'Add f', [
      change([hunk(0, [], 1, ['function f(a) {', '  return a + 1;', '  return 0;', '}'])], { status: 'added' }),
    ]),
    commit(2, 2000, 'Tweak f', [change([hunk(2, ['  return a + 1;'], 2, ['  return a - 1;'])])]),
    commit(3, 3000, 'Fix off-by-one in f', [change([hunk(2, ['  return a - 1;'], 2, ['  return a;'])])]),
    commit(4, 4000, 'Widen f. Closes #7', [change([hunk(1, ['function f(a) {'], 1, ['function f(a, b) {'])])]),
    commit(5, 5000, 'Touch f', [change([hunk(3, ['  return 0;'], 3, ['  return 1;'])])]),
    commit(6, 6000, 'Tidy', [change([hunk(4, ['}'], 4, ['};'])])]),
  ];
  const issues: IssueInput[] = [
    { repo_id: REPO, number: 7, is_bug: true, referenced_commit_shas: [], event_time: 7000 },
    // A bug issue that names the message fix C3 long after: its SZZ label keeps C3's commit time.
    { repo_id: REPO, number: 8, is_bug: true, referenced_commit_shas: [sha(3), sha(1)], event_time: 8000 },
    // C5 fixes #9 and blames C1, which C4 already blamed: C1's label lists both fixes.
    { repo_id: REPO, number: 9, is_bug: true, referenced_commit_shas: [sha(5)], event_time: 9000 },
  ];
  const flat = (ls: CommitLabel[][]): unknown[] =>
    ls.flat().map((l) => [l.sha, l.method, l.is_fix, l.fix_shas, l.issue_numbers, l.label_known_at]);

  it('are the labels of an unpruned store', async () => {
    const pruned = new InMemoryHistoryStore({ retention: { commitOutputs: 1 } });
    const full = new InMemoryHistoryStore();
    for (const c of commits) {
      await processCommits(pruned, REPO, [c]);
      await processCommits(full, REPO, [c]);
    }
    expect(pruned.keys(REPO, 'outputs')).toEqual([sha(6)]);
    const got = await processIssues(pruned, REPO, issues);
    const want = await processIssues(full, REPO, issues);
    expect(flat(got)).toEqual(flat(want));
    // #8 names C3, already a fix by its message: C2 stays implicated as C3 made it, no new SZZ label.
    expect(flat(got)).toEqual([
      [sha(4), 'issue_link', true, [], [7], 7000],
      [sha(1), 'szz', false, [sha(4)], [], 7000],
      [sha(3), 'issue_link', true, [], [8], 8000],
      [sha(1), 'issue_link', true, [], [8], 8000],
      [sha(5), 'issue_link', true, [], [9], 9000],
      [sha(1), 'szz', true, [sha(4), sha(5)], [], 9000],
    ]);
    expect(pruned.peek(REPO, 'commit', sha(3))).toMatchObject({
      fix: true,
      fixByMessage: true,
      fixesIssues: { '8': 8000 },
    });
  });

  it('still read records written before outputs had their own namespace', async () => {
    const store = new InMemoryHistoryStore();
    const results = await processCommits(store, REPO, commits.slice(0, 3), { now: () => 5 });
    // Rewrite C3 the way the previous version stored it: outputs inline, no fixByMessage.
    const rec = store.peek(REPO, 'commit', sha(3))!;
    const { fixByMessage: _, ...rest } = rec;
    const legacy: LegacyCommitRecord = { ...rest, outputs: results[2]!.outputs as CommitOutputs };
    const changes = emptyChanges();
    changes.commit.set(sha(3), legacy as never);
    changes.outputs.set(sha(3), null);
    const snap = await store.load(REPO, {});
    expect(
      await store.write(REPO, { expectedVersion: snap.version, seq: snap.seq, changes, applied: [], now: 5 }),
    ).toBe(true);
    const [again] = await processCommits(store, REPO, [commits[2]!]);
    expect(again).toEqual({ sha: sha(3), outputs: results[2]!.outputs, replayed: true, gap: results[2]!.gap });
    const [labels] = await processIssues(store, REPO, [issues[1]!]);
    expect(flat([labels!])).toEqual([
      [sha(3), 'issue_link', true, [], [8], 8000],
      [sha(1), 'issue_link', true, [], [8], 8000],
    ]);
    // Its message fix is told from the inline outputs: #8 losing its bug label retracts the
    // issue link but C3 stays a fix, so C2 keeps its SZZ label.
    const [retracted] = await processIssues(store, REPO, [{ ...issues[1]!, is_bug: false, event_time: 9000 }]);
    expect(flat([retracted!])).toEqual([
      [sha(3), 'issue_link', false, [], [], 9000],
      [sha(1), 'issue_link', false, [], [], 9000],
    ]);
    expect(store.peek(REPO, 'commit', sha(3))).toMatchObject({ fix: true, fixByMessage: true, fixesIssues: {} });
    expect(store.peek(REPO, 'commit', sha(2))?.inducedBy).toEqual({ [sha(3)]: 3000 });
  });
});

describe('pending issue links', () => {
  const TTL = 10_000;
  const missing = (n: number): string => n.toString(16).padStart(40, 'e');
  const bug = (number: number, shas: string[], time: number): IssueInput => ({
    repo_id: EXPRESS_REPO,
    number,
    is_bug: true,
    referenced_commit_shas: shas,
    event_time: time,
  });

  it('drop a link whose commit has not come within the bound, counting it', async () => {
    const pruned: Pruned[] = [];
    const store = new InMemoryHistoryStore({ retention: { pendingMs: TTL }, onPrune: (p) => pruned.push(p) });
    await processIssues(store, EXPRESS_REPO, [bug(1, [missing(1)], 0)], { now: () => 1000 });
    await processIssues(store, EXPRESS_REPO, [bug(2, [missing(2)], 0)], { now: () => 5000 });
    await processIssues(store, EXPRESS_REPO, [bug(3, [], 0)], { now: () => 1000 + TTL - 1 });
    expect(store.keys(EXPRESS_REPO, 'pending')).toEqual([missing(1), missing(2)]);
    await processIssues(store, EXPRESS_REPO, [bug(3, [], 0)], { now: () => 1000 + TTL });
    expect(store.keys(EXPRESS_REPO, 'pending')).toEqual([missing(2)]);
    expect(summed(pruned)).toEqual({ outputs: 0, pending: 1 });
  });

  it('keep a link another issue renewed, and at most sweepLimit go per write', async () => {
    const store = new InMemoryHistoryStore({ retention: { pendingMs: TTL, sweepLimit: 2 } });
    await processIssues(store, EXPRESS_REPO, [bug(1, [missing(1), missing(2), missing(3), missing(4)], 0)], {
      now: () => 0,
    });
    await processIssues(store, EXPRESS_REPO, [bug(2, [missing(4)], 0)], { now: () => 6000 });
    await processIssues(store, EXPRESS_REPO, [bug(3, [], 0)], { now: () => 12_000 });
    expect(store.keys(EXPRESS_REPO, 'pending')).toEqual([missing(3), missing(4)]);
    await processIssues(store, EXPRESS_REPO, [bug(3, [], 0)], { now: () => 12_001 });
    expect(store.keys(EXPRESS_REPO, 'pending')).toEqual([missing(4)]);
    expect(store.peek(EXPRESS_REPO, 'pending', missing(4))).toEqual(['1', '2']);
  });

  it("a commit that comes after its link was dropped is linked at the issue's next event", async () => {
    const store = new InMemoryHistoryStore({ retention: { pendingMs: TTL } });
    const late = express[0]!;
    await processIssues(store, EXPRESS_REPO, [bug(5, [late.sha], 100)], { now: () => 0 });
    await processIssues(store, EXPRESS_REPO, [bug(6, [], 100)], { now: () => TTL });
    expect(store.keys(EXPRESS_REPO, 'pending')).toEqual([]);
    const [r] = await processCommits(store, EXPRESS_REPO, [late], { now: () => TTL + 1 });
    expect(r!.outputs!.labels.filter((l) => l.method === 'issue_link')).toEqual([]);
    const [labels] = await processIssues(store, EXPRESS_REPO, [bug(5, [], 200)], { now: () => TTL + 2 });
    expect(labels!.map((l) => [l.sha, l.method, l.issue_numbers])).toEqual([[late.sha, 'issue_link', [5]]]);
  });
});

describe('pipeline metrics', () => {
  async function counterValues(metrics: Metrics, name: string): Promise<Record<string, number>> {
    const metric = metrics.registry.getSingleMetric(name);
    const got = await metric!.get();
    return Object.fromEntries(got.values.map((v) => [String(v.labels['namespace'] ?? ''), v.value]));
  }

  it('count pruned records and redeliveries beyond the window, which emit no rows', async () => {
    const metrics = createMetrics({ service: 'featurizer-test', defaultMetrics: false });
    const history = new InMemoryHistoryStore({ retention: { commitOutputs: 30 }, onPrune: countPruned(metrics) });
    const written: CommitRows[] = [];
    const sinks: FeatureSinks = {
      offline: (rows) => {
        written.push(...rows);
        return Promise.resolve();
      },
      online: (_rows: readonly FeatureRow[]) => Promise.resolve(),
      publish: () => Promise.resolve(),
    };
    const pipeline = new FeaturizerPipeline({
      history,
      sinks,
      logger: { warn: () => undefined, info: () => undefined },
      metrics,
      now,
    });
    await pipeline.handleCommits(express.slice(0, 30));
    await pipeline.handleCommits(express.slice(30, 60));
    await pipeline.handleIssues([
      { repo_id: EXPRESS_REPO, number: 1, is_bug: true, referenced_commit_shas: ['d'.repeat(40)], event_time: 1 },
    ]);
    const rows = await pipeline.handleCommits(express.slice(25, 35));
    expect(rows.map((r) => r.features[0]!.sha)).toEqual(express.slice(30, 35).map((c) => c.sha));
    expect(await counterValues(metrics, 'omen_featurizer_state_pruned_total')).toEqual({ outputs: 30 });
    expect(await counterValues(metrics, 'omen_featurizer_redeliveries_beyond_window_total')).toEqual({ '': 5 });
    expect(await counterValues(metrics, 'omen_featurizer_commits_replayed_total')).toEqual({ '': 5 });
    expect(written).toHaveLength(65);
  });
});

describe('configuration', () => {
  it('refuses a redelivery window smaller than a batch, naming both variables', () => {
    expect(configProblems({ FEATURIZER_COMMIT_STATE_RETENTION: 5000, FEATURIZER_BATCH_SIZE: 500 })).toEqual([]);
    expect(configProblems({ FEATURIZER_COMMIT_STATE_RETENTION: 499, FEATURIZER_BATCH_SIZE: 500 })).toEqual([
      {
        variable: 'FEATURIZER_COMMIT_STATE_RETENTION',
        expected: 'an integer >= FEATURIZER_BATCH_SIZE (500)',
        got: '499',
      },
    ]);
  });
});
