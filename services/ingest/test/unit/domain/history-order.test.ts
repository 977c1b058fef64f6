import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalOrder, type OrderNode } from '../../../src/domain/history-order.ts';

const sha = (c: string): string => c.repeat(40);
const node = (c: string, time: number, ...parents: string[]): OrderNode => ({
  sha: sha(c),
  parents: parents.map(sha),
  commitTime: time,
});
const letters = (nodes: readonly OrderNode[]): string => nodes.map((n) => n.sha[0]).join('');

describe('canonicalOrder', () => {
  it('puts parents first, then the earliest commit time, then the smallest sha', () => {
    // a ─ b ─────── e (merge of b and d)
    //  └─ c ─ d ─┘      c is older than b; d has a commit time before its parent c (clock skew).
    const graph = [node('e', 50, 'b', 'd'), node('d', 5, 'c'), node('c', 10, 'a'), node('b', 20, 'a'), node('a', 0)];
    expect(letters(canonicalOrder(graph))).toBe('acdbe');
    // Equal times: the smaller sha first.
    expect(letters(canonicalOrder([node('b', 7, 'a'), node('c', 7, 'a'), node('a', 0)]))).toBe('abc');
  });

  it('treats parents outside the set (a range, a shallow clone) as placed', () => {
    expect(letters(canonicalOrder([node('c', 3, 'b'), node('b', 9, 'z'), node('d', 1, 'y')]))).toBe('dbc');
  });

  it('refuses a cycle', () => {
    expect(() => canonicalOrder([node('a', 0, 'b'), node('b', 1, 'a')])).toThrow(/cycle/);
  });

  it('does not depend on the order the commits are listed in', () => {
    // Random DAGs: each commit's parents among the earlier ones; times anything (skew included).
    const dag = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.array(fc.nat(), { maxLength: 3 })), {
        minLength: 1,
        maxLength: 40,
      })
      .map((spec) =>
        spec.map(([time, ps], i) => ({
          sha: i.toString(16).padStart(40, '0'),
          commitTime: time,
          parents: i === 0 ? [] : [...new Set(ps.map((p) => (p % i).toString(16).padStart(40, '0')))],
        })),
      );
    fc.assert(
      fc.property(dag, fc.func(fc.integer()), (nodes, key) => {
        const shuffled = [...nodes].sort((a, b) => key(a.sha) - key(b.sha));
        const order = canonicalOrder(shuffled);
        expect(order.map((n) => n.sha)).toEqual(canonicalOrder(nodes).map((n) => n.sha));
        const at = new Map(order.map((n, i) => [n.sha, i]));
        for (const n of order) for (const p of n.parents) expect(at.get(p)!).toBeLessThan(at.get(n.sha)!);
      }),
      { numRuns: 200 },
    );
  });
});
