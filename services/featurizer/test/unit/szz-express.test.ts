import { afterAll, describe, expect, it } from 'vitest';
import { isFixMessage } from '../../src/domain/fix.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import type { BlamedFile } from '../../src/domain/processor.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { EXPRESS_REPO } from '../helpers/express.ts';
import { cloneExpress, readCommitsWithHunks } from '../helpers/express-git.ts';

// SZZ starts from the commit that last touched each line a fix deleted or changed, in the fix's
// parent: exactly what `git blame <parent> -- <path>` says of those lines. Checked here on every
// fix commit of the real express history (485 merges), line by line, before any filter.
const clone = cloneExpress();
afterAll(() => clone.remove());

/** `git blame --porcelain` of some lines of a file: final line number → sha. */
function parsePorcelain(out: string): Map<number, string> {
  const got = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{40}) \d+ (\d+)/.exec(line);
    if (m) got.set(Number(m[2]), m[1]!);
  }
  return got;
}

/** Consecutive line numbers as `-L a,b` ranges. */
function ranges(numbers: readonly number[]): string[] {
  const sorted = [...numbers].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push('-L', `${sorted[i]},${sorted[j]}`);
    i = j + 1;
  }
  return out;
}

describe('SZZ blame on the express history', () => {
  it("equals git blame of each fix's parent for every line every fix deletes or changes", async () => {
    const commits = readCommitsWithHunks(clone);
    expect(commits).toHaveLength(6158);
    const byFix = new Map<string, readonly BlamedFile[]>();
    const fixes = new Set(commits.filter((c) => c.parents.length === 1 && isFixMessage(c.message)).map((c) => c.sha));
    const store = new InMemoryHistoryStore();
    const onBlame = (sha: string, files: readonly BlamedFile[]): void => {
      if (fixes.has(sha)) byFix.set(sha, files);
    };
    // Uneven batch sizes, so batch boundaries fall everywhere.
    for (let i = 0, size = 1; i < commits.length; i += size, size = (size % 97) + 13) {
      await processCommits(store, EXPRESS_REPO, commits.slice(i, i + size), { onBlame });
    }
    const parentOf = new Map(commits.map((c) => [c.sha, c.parents[0]!]));
    // A submodule's pointer ("Subproject commit <sha>") is a diff line git blame has no file for.
    const gitlink = (f: BlamedFile): boolean =>
      f.deleted.every((d) => /^Subproject commit [0-9a-f]{40}$/.test(d.content));
    const jobs = [...byFix].flatMap(([sha, files]) =>
      files
        .filter((f) => f.deleted.length > 0 && !gitlink(f))
        .map((f) => ({ sha, parent: parentOf.get(sha)!, file: f })),
    );
    let lines = 0;
    const mismatches: string[] = [];
    // A text file a fix deleted lines from whose blame was unknown would be skipped silently.
    const unblamed = commits
      .filter((c) => fixes.has(c.sha))
      .flatMap((c) =>
        c.files
          .filter((f) => !f.binary && f.lines_deleted > 0 && !byFix.get(c.sha)?.some((b) => b.path === f.path))
          .map((f) => `${c.sha} ${f.path}`),
      );
    const run = async (job: (typeof jobs)[number]): Promise<void> => {
      const out = await clone.gitAsync(
        'blame',
        '--porcelain',
        ...ranges(job.file.deleted.map((d) => d.number)),
        job.parent,
        '--',
        job.file.oldPath,
      );
      const want = parsePorcelain(out);
      for (const d of job.file.deleted) {
        lines += 1;
        if (want.get(d.number) !== d.origin)
          mismatches.push(
            `${job.sha} ${job.file.oldPath}:${d.number} omen ${d.origin}, git ${want.get(d.number) ?? 'nothing'}`,
          );
      }
    };
    // Two git processes at a time: the machine running CI has two cores.
    for (let i = 0; i < jobs.length; i += 2) await Promise.all(jobs.slice(i, i + 2).map(run));
    const mainline = new Set(clone.git('rev-list', '--first-parent', 'HEAD').split('\n'));
    const offMainline = jobs.reduce((n, j) => n + j.file.deleted.filter((d) => !mainline.has(d.origin)).length, 0);
    console.log(
      JSON.stringify({
        fixes: fixes.size,
        files: jobs.length,
        lines,
        offMainline,
        mismatches: mismatches.length,
        unblamed,
      }),
    );
    // The one way the two differ: which file a renamed or copied file came from when several
    // identical ones qualify. The event carries the pairing of `git log -M` over the whole commit;
    // git blame looks for a source of the one path it follows and may pick another identical file.
    const ambiguousSource = (m: string): boolean => {
      const [sha, at] = m.split(' ') as [string, string];
      const path = at.slice(0, at.lastIndexOf(':'));
      return /^[RC]100\t/m.test(
        clone.git('log', '--follow', '--name-status', '--format=', parentOf.get(sha)!, '--', path),
      );
    };
    expect(mismatches.filter((m) => !ambiguousSource(m))).toEqual([]);
    expect(mismatches.length).toBeLessThanOrEqual(lines / 1000);
    // The only files left without blame went through a change git showed as binary: such an
    // event carries no hunks, so the lines after it cannot be followed (README: Labels).
    const throughBinary = (u: string): boolean => {
      const [sha, path] = u.split(' ') as [string, string];
      return clone
        .git('log', '--numstat', '--format=', parentOf.get(sha)!, '--', path)
        .split('\n')
        .some((l) => l.startsWith('-\t-\t'));
    };
    expect(unblamed.filter((u) => !throughBinary(u))).toEqual([]);
    expect(unblamed.length).toBeLessThan(5);
    // Not vacuous: most fixes delete lines, and many of them were written on merged branches.
    expect(fixes.size).toBeGreaterThan(650);
    expect(jobs.length).toBeGreaterThan(500);
    expect(lines).toBeGreaterThan(5000);
    // Lines written on branches merged later: a first-parent replay gets these wrong.
    expect(offMainline).toBeGreaterThan(1000);
  }, 600_000);
});
