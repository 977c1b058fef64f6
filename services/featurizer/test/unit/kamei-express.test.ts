import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { featureNames, jitChangeMetricsV1 } from '@omen/features';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { EXPRESS_REPO, expressPath, readExpressCommits } from '../helpers/express.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('change metrics over the full express history', () => {
  it('equal an independent Python computation for every commit, in the canonical order', async () => {
    const { order, metrics: reference } = JSON.parse(
      execFileSync('python3', [resolve(here, '../reference/kamei_reference.py'), expressPath()], {
        maxBuffer: 64 << 20,
        encoding: 'utf8',
      }),
    ) as { order: string[]; metrics: Record<string, Record<string, number>> };
    // The stream ingest's backfill publishes: the canonical order, which the reference computes
    // on its own (the file is in `git log --topo-order`, a different one).
    const bySha = new Map(readExpressCommits().map((c) => [c.sha, c]));
    const commits = order.map((sha) => bySha.get(sha)!);
    expect(commits).toHaveLength(6158);
    expect(new Set(order).size).toBe(6158);
    const store = new InMemoryHistoryStore();
    const names = featureNames(jitChangeMetricsV1);
    let compared = 0;
    // Uneven batch sizes, so batch boundaries fall everywhere.
    for (let i = 0, size = 1; i < commits.length; i += size, size = (size % 97) + 13) {
      for (const r of await processCommits(store, EXPRESS_REPO, commits.slice(i, i + size))) {
        const want = reference[r.sha];
        expect(want, r.sha).toBeDefined();
        for (const name of names) {
          const got = r.outputs!.jit[name]!;
          const exp = want![name]!;
          if (Math.abs(got - exp) > 1e-9 * Math.max(1, Math.abs(exp)))
            expect.fail(`${r.sha} ${name}: featurizer ${got}, reference ${exp}`);
        }
        compared += 1;
      }
    }
    expect(compared).toBe(6158);
    // The history exercises what the metrics depend on, so agreement is not vacuous.
    const vals = Object.values(reference);
    expect(vals.filter((v) => v['ndev']! > 1).length).toBeGreaterThan(1000);
    expect(vals.filter((v) => v['rexp']! !== v['exp']!).length).toBeGreaterThan(1000);
    expect(vals.filter((v) => v['fix'] === 1).length).toBeGreaterThan(300);
  }, 180_000);
});
