import { describe, expect, it } from 'vitest';
import type { FileVersion } from '../../src/domain/dag.ts';
import { compactVersions, emptyDag, lineage, markMerged, place, visibleVersion } from '../../src/domain/dag.ts';

describe('first-parent chains', () => {
  it('continues the chain for the first child and forks one for a second child', () => {
    const dag = emptyDag();
    const root = place(dag, undefined);
    const a = place(dag, root);
    const b = place(dag, a);
    const side = place(dag, a); // a second child of a: a branch
    const sideNext = place(dag, side);
    expect([root, a, b]).toEqual([
      { chain: 0, depth: 0 },
      { chain: 0, depth: 1 },
      { chain: 0, depth: 2 },
    ]);
    expect(side).toEqual({ chain: 1, depth: 2 });
    expect(sideNext).toEqual({ chain: 1, depth: 3 });
    expect(lineage(dag, sideNext)).toEqual([
      [1, 3],
      [0, 1],
    ]);
    expect(dag.n).toBe(5);
  });

  it('gives a branch the version its fork point saw, not one made later on the main line', () => {
    const dag = emptyDag();
    const root = place(dag, undefined);
    const a = place(dag, root);
    const b = place(dag, a);
    const side = place(dag, a);
    const versions: FileVersion[] = [
      { s: 'root', c: root.chain, d: root.depth, n: 1 },
      { s: 'b', c: b.chain, d: b.depth, n: 3 },
    ];
    expect(visibleVersion(dag, versions, side)?.s).toBe('root');
    expect(visibleVersion(dag, versions, b)?.s).toBe('b');
    expect(visibleVersion(dag, versions, a)?.s).toBe('root');
    expect(visibleVersion(dag, [], b)).toBeUndefined();
  });
});

describe('compactVersions', () => {
  /** A main line of `n` commits; a version of the file at each depth in `at`. */
  function mainLine(n: number, at: number[]): { dag: ReturnType<typeof emptyDag>; versions: FileVersion[] } {
    const dag = emptyDag();
    let pos = place(dag, undefined);
    for (let i = 1; i < n; i++) pos = place(dag, pos);
    return { dag, versions: at.map((d) => ({ s: `v${d}`, c: 0, d, n: d + 1 })) };
  }

  it('keeps a superseded version while a branch may still start below the next one', () => {
    const { dag, versions } = mainLine(20, [0, 15]);
    expect(compactVersions(dag, versions, 10).dropped).toEqual([]);
    expect(compactVersions(dag, versions, 3)).toEqual({
      versions: [
        { s: 'v0', c: 0, d: 0, n: 1, state: 'pruned' },
        { s: 'v15', c: 0, d: 15, n: 16 },
      ],
      dropped: ['v0'],
    });
  });

  it('keeps what a live branch forked between two versions sees, and answers "pruned" once it is gone', () => {
    const { dag, versions } = mainLine(20, [0, 15]);
    let pos = place(dag, { chain: 0, depth: 5 });
    for (let i = 0; i < 3; i++) pos = place(dag, pos);
    expect(compactVersions(dag, versions, 3).dropped).toEqual([]);
    // The branch goes quiet: the main line moves on.
    let main = { chain: 0, depth: 19 };
    for (let i = 0; i < 10; i++) main = place(dag, main);
    markMerged(dag, pos);
    const out = compactVersions(dag, versions, 3);
    expect(out.dropped).toEqual(['v0']);
    // A late commit on the branch finds no blame rather than a wrong one.
    expect(visibleVersion(dag, out.versions, place(dag, pos))?.state).toBe('pruned');
  });

  it('keeps the newest version of a quiet main line that was not merged', () => {
    const { dag, versions } = mainLine(20, [0, 15]);
    let pos = place(dag, { chain: 0, depth: 5 });
    for (let i = 0; i < 10; i++) pos = place(dag, pos);
    // v0: the live branch forked below v15 sees it; v15: the main line will go on some day.
    expect(compactVersions(dag, versions, 3)).toEqual({ versions, dropped: [] });
  });

  it('drops the versions of a merged branch once it is quiet, and collapses runs of markers', () => {
    const { dag, versions } = mainLine(30, [0, 10, 20]);
    const branch = place(dag, { chain: 0, depth: 5 });
    markMerged(dag, branch);
    const all = [...versions, { s: 'br', c: branch.chain, d: branch.depth, n: dag.n }];
    let main = { chain: 0, depth: 29 };
    for (let i = 0; i < 10; i++) main = place(dag, main);
    const out = compactVersions(dag, all, 5);
    expect(out.dropped.sort()).toEqual(['br', 'v0', 'v10']);
    expect(out.versions.map((v) => [v.s, v.state ?? 'kept'])).toEqual([
      ['v0', 'pruned'],
      ['v20', 'kept'],
      ['br', 'pruned'],
    ]);
  });
});
