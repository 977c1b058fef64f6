import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitMirrorReader, readGitLog, showCommit } from '../../../src/adapters/git.ts';
import type { CommitDetail } from '../../../src/domain/enrich.ts';
import { ScratchRepo } from '../../helpers/git-repo.ts';

// Runs the real git binary on a scratch repository: renames, binaries, deletions, a merge,
// names that need quoting, and a commit with no changes.
let repo: ScratchRepo;
const shas: Record<string, string> = {};

beforeAll(() => {
  repo = new ScratchRepo();
  repo.write('src/app.js', 'one\ntwo\nthree\n');
  repo.write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
  shas['root'] = repo.commit('root\n\nwith a body');
  repo.write('src/app.js', 'one\nTWO\nthree\nfour\n');
  repo.move('logo.png', 'img/logo.png');
  shas['edit'] = repo.commit('edit and move');
  repo.git('checkout', '-q', '-b', 'side');
  repo.write('dir one/sp ace "q".txt', 'side\n');
  shas['side'] = repo.commit('side');
  repo.git('checkout', '-q', 'main');
  repo.write('ünï.txt', 'main\n');
  shas['main'] = repo.commit('main');
  repo.git('merge', '-q', '--no-ff', '--no-edit', 'side');
  shas['merge'] = repo.git('rev-parse', 'HEAD');
  repo.git('rm', '-q', 'src/app.js');
  shas['delete'] = repo.commit('delete');
  shas['empty'] = repo.commit('nothing changed');
});
afterAll(() => repo.remove());

async function walk(): Promise<CommitDetail[]> {
  const out: CommitDetail[] = [];
  for await (const c of readGitLog(repo.path)) out.push(c);
  return out;
}

describe('readGitLog', () => {
  it('walks every commit, parents before children', async () => {
    const log = await walk();
    expect(log).toHaveLength(7);
    const seen = new Set<string>();
    for (const c of log) {
      for (const p of c.parents) expect(seen.has(p), `${c.sha} after its parent`).toBe(true);
      seen.add(c.sha);
    }
    expect(log[0]).toMatchObject({
      sha: shas['root'],
      parents: [],
      message: 'root\n\nwith a body',
      authorIdentity: 'ada@example.org',
      committerIdentity: 'bob@example.org',
    });
  });

  it('reports statuses, renames, binaries, counts and hunks like git does', async () => {
    const log = await walk();
    const bySha = new Map(log.map((c) => [c.sha, c]));
    expect(bySha.get(shas['root']!)!.files.map((f) => [f.path, f.status, f.binary, f.lines_added])).toEqual([
      ['logo.png', 'added', true, 0],
      ['src/app.js', 'added', false, 3],
    ]);
    const edit = bySha.get(shas['edit']!)!;
    expect(edit.files.find((f) => f.path === 'img/logo.png')).toMatchObject({
      old_path: 'logo.png',
      status: 'renamed',
      binary: true,
      hunks: null,
    });
    expect(edit.files.find((f) => f.path === 'src/app.js')).toMatchObject({
      status: 'modified',
      lines_added: 2,
      lines_deleted: 1,
      hunks: [
        {
          old_start: 2,
          old_lines: 1,
          new_start: 2,
          new_lines: 1,
          deleted_lines: [{ number: 2, content: 'two' }],
          added_lines: [{ number: 2, content: 'TWO' }],
        },
        {
          old_start: 0,
          old_lines: 0,
          new_start: 4,
          new_lines: 1,
          deleted_lines: [],
          added_lines: [{ number: 4, content: 'four' }],
        },
      ],
    });
    expect(bySha.get(shas['side']!)!.files[0]!.path).toBe('dir one/sp ace "q".txt');
    expect(bySha.get(shas['main']!)!.files[0]!.path).toBe('ünï.txt');
    // A merge is diffed against its first parent: it brings in the side branch's file.
    const merge = bySha.get(shas['merge']!)!;
    expect(merge.parents).toEqual([shas['main'], shas['side']]);
    expect(merge.files.map((f) => f.path)).toEqual(['dir one/sp ace "q".txt']);
    expect(bySha.get(shas['delete']!)!.files).toEqual([
      expect.objectContaining({ path: 'src/app.js', status: 'deleted', lines_deleted: 4, lines_added: 0 }),
    ]);
    expect(bySha.get(shas['empty']!)!.files).toEqual([]);
  });

  it('shows one commit of a mirror the same way', async () => {
    const log = await walk();
    const shown = await showCommit(repo.path, shas['edit']!);
    expect(shown).toEqual(log.find((c) => c.sha === shas['edit']));
  });

  it('stops when aborted and says why for bad paths and unknown commits', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const c of readGitLog(repo.path, { signal: controller.signal })) {
          seen.push(c.sha);
          controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen.length).toBeLessThan(7);
    await expect(showCommit(repo.path, 'f'.repeat(40))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(showCommit('/nonexistent/omen-repo', shas['root']!)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(showCommit(repo.path, 'HEAD')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('GitMirrorReader', () => {
  it('answers every request from one long-running git process, as showCommit would', async () => {
    // One process slot: the first request runs alone, the rest gather into one batch behind it.
    const dir = mkdtempSync(join(tmpdir(), 'omen-git-count-'));
    const git = join(dir, 'git');
    writeFileSync(git, `#!/bin/sh\necho run >> "${dir}/runs"\nexec git "$@"\n`, { mode: 0o755 });
    try {
      const reader = new GitMirrorReader(repo.path, { processes: 1, git });
      const names = ['edit', 'merge', 'root', 'empty', 'delete', 'edit', 'side', 'main'];
      const shown = await Promise.all(names.map((n) => reader.show(shas[n]!)));
      // One after another too: the process stays up between requests.
      for (const n of names) shown.push(await reader.show(shas[n]!));
      reader.close();
      expect(readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n')).toHaveLength(1);
      for (const [i, n] of [...names, ...names].entries())
        expect(shown[i]).toEqual(await showCommit(repo.path, shas[n]!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails only the unknown commit, and refuses what is not a sha', async () => {
    const reader = new GitMirrorReader(repo.path, { processes: 1 });
    const results = await Promise.allSettled([
      reader.show(shas['root']!),
      reader.show(shas['edit']!),
      reader.show('e'.repeat(40)),
      reader.show(shas['main']!),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'NOT_FOUND' });
    expect((results[3] as PromiseFulfilledResult<CommitDetail>).value.sha).toBe(shas['main']);
    await expect(reader.show('HEAD')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    reader.close();
    await expect(new GitMirrorReader('/nonexistent/omen-repo').show(shas['root']!)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
