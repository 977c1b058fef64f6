import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ingestV1 } from '@omen/contracts';
import { gitSource, jsonlSource } from '../../../src/backfill/source.ts';

// The same 6,158 express commits as a git bundle (with contents) and as the numstat export the
// demo replays: both backfill sources must publish the same stream, or the featurizer, which
// reads history metrics off the order, gives a commit two answers.
const data = join(import.meta.dirname, '../../../../../../shared/data');
const repo = { id: 'github:expressjs/express', name: 'expressjs/express', provider: 'github' as const };
let clone: string;

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'omen-express-'));
  execFileSync('git', ['clone', '-q', join(data, 'express.bundle'), clone], { stdio: 'ignore' });
}, 120_000);
afterAll(() => rmSync(clone, { recursive: true, force: true }));

async function read(source: ReturnType<typeof gitSource>): Promise<ingestV1.PublishCommitRequest['commit'][]> {
  const out: ingestV1.PublishCommitRequest['commit'][] = [];
  for await (const item of source.items()) {
    expect(item.error).toBeUndefined();
    out.push(item.request!.commit);
  }
  return out;
}

const numstat = (c: NonNullable<ingestV1.PublishCommitRequest['commit']>): string[] =>
  (c.files ?? [])
    .map((f) => `${f.old_path ?? ''}\t${f.path}\t${f.lines_added}\t${f.lines_deleted}\t${String(f.binary)}`)
    .sort();

describe('backfill sources on the express history', () => {
  it('publish the same commits in the same (canonical) order with the same numstat', async () => {
    const git = await read(gitSource(clone, repo));
    const jsonl = await read(jsonlSource(join(data, 'express-commits.jsonl.gz'), repo));
    expect(git).toHaveLength(6158);
    expect(git.map((c) => c!.sha)).toEqual(jsonl.map((c) => c!.sha));
    // Parents first.
    const at = new Map(git.map((c, i) => [c!.sha, i]));
    for (const c of git) for (const p of c!.parents ?? []) expect(at.get(p)!).toBeLessThan(at.get(c!.sha)!);
    // The files of every non-merge commit agree (merges: git sends the first-parent diff, the
    // export none; the featurizer counts no files for a merge).
    let compared = 0;
    for (const [i, g] of git.entries()) {
      const j = jsonl[i]!;
      expect(g!.author_time).toEqual(j.author_time);
      expect(g!.commit_time).toEqual(j.commit_time);
      if ((g!.parents ?? []).length >= 2) continue;
      expect(numstat(g!), g!.sha).toEqual(numstat(j));
      compared++;
    }
    expect(compared).toBe(6158 - 485);
  }, 300_000);
});
