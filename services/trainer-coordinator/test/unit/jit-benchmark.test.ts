import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PUBLISHED_AUC, bestPublished } from '../../bench/published-jit.ts';
import { CANDIDATES } from '../../src/domain/index.ts';

const SCRIPT = new URL('../../bench/jit-benchmark.ts', import.meta.url).pathname;
const FIXTURE = new URL('../fixtures/qt-first-4000.csv.gz', import.meta.url).pathname;

describe("published ISSTA'21 numbers", () => {
  it('the best published model is the maximum of the columns we have, DBN-JIT absent', () => {
    expect(bestPublished(PUBLISHED_AUC['go']!)).toEqual({ model: 'cc2vec', auc: 0.6917 });
    expect(bestPublished(PUBLISHED_AUC['openstack']!)).toEqual({ model: 'lapredict', auc: 0.7491 });
    expect(bestPublished({ lapredict: 0.6, deepjit: 0.5, cc2vec: 0.5, lrjit: 0.5, dbnjit: 0.9 })).toEqual({
      model: 'dbnjit',
      auc: 0.9,
    });
    expect(Object.values(PUBLISHED_AUC).every((p) => p.dbnjit === null)).toBe(true);
  });
});

describe('jit-benchmark', () => {
  // The real first 4,000 qt rows, once under the paper's project name and once under a name the
  // benchmark does not know.
  const dir = mkdtempSync(join(tmpdir(), 'jit-bench-'));
  for (const name of ['qt', 'mine']) {
    mkdirSync(join(dir, name));
    copyFileSync(FIXTURE, join(dir, name, `${name}_k_feature.csv.gz`));
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('selects per project on validation, prints published numbers for a known project and says when it has none', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, '--data', dir], {
      maxBuffer: 1 << 24,
    });
    const lines = stdout.trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as {
      model: string;
      projects: Record<
        string,
        {
          auc: number;
          winner: string;
          validation_auc: Record<string, number>;
          best_published: { model: string; auc: number } | null;
          beats_best_published: boolean | null;
          published: unknown;
        }
      >;
      mean_auc: number;
      mean_best_published: number | null;
      beats_best_published_on_all: boolean | null;
    };
    expect(last.model).toBe('auto');
    const qt = last.projects['qt']!;
    expect(CANDIDATES).toContain(qt.winner);
    expect(Object.keys(qt.validation_auc)).toEqual([...CANDIDATES]);
    // The winner is the candidate with the best validation AUC, not the best test AUC.
    expect(qt.validation_auc[qt.winner]).toBe(Math.max(...Object.values(qt.validation_auc)));
    expect(qt.published).toEqual(PUBLISHED_AUC['qt']);
    expect(qt.best_published).toEqual({ model: 'lapredict', auc: 0.7438 });
    expect(qt.beats_best_published).toBe(qt.auc > 0.7438);
    expect(qt.auc).toBeGreaterThan(0.6);
    expect(lines.find((l) => l.startsWith('qt '))).toMatch(
      /best published lapredict 0\.7438 → (BEATS|does not beat) it/,
    );
    const mine = last.projects['mine']!;
    expect(mine.best_published).toBeNull();
    expect(mine.beats_best_published).toBeNull();
    expect(mine.auc).toBe(qt.auc);
    expect(lines.find((l) => l.startsWith('mine '))).toMatch(/no published AUC in \.\.\/shared for this project/);
    // A mean over a project without published numbers would compare different sets.
    expect(last.mean_best_published).toBeNull();
    expect(last.beats_best_published_on_all).toBeNull();
  }, 180_000);
});
