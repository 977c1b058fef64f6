/**
 * The canonical order of a repository's history: the one order every source publishes in, so
 * that the featurizer, which computes history metrics over the commits before each one in its
 * stream, gives one answer per commit whichever source delivered it (`git log --date-order` and
 * `--topo-order` are both parents-first, but interleave concurrent branches differently).
 *
 * Definition: parents before children; among the commits whose parents are all placed, the
 * earliest commit time first, ties broken by sha. A function of the commit graph and its
 * times alone, so it does not depend on the order a source lists the commits in.
 */
export interface OrderNode {
  sha: string;
  parents: readonly string[];
  /** Epoch ms (any unit works, as long as all nodes use the same). */
  commitTime: number;
}

function before(a: OrderNode, b: OrderNode): boolean {
  return a.commitTime !== b.commitTime ? a.commitTime < b.commitTime : a.sha < b.sha;
}

/**
 * A binary min-heap of ready commits. Own code because it is twenty lines and the workspace has
 * no priority-queue dependency; a sort per step would make a million-commit history quadratic.
 */
class ReadyHeap {
  readonly #items: OrderNode[] = [];
  get size(): number {
    return this.#items.length;
  }
  push(n: OrderNode): void {
    const xs = this.#items;
    xs.push(n);
    for (let i = xs.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!before(xs[i]!, xs[p]!)) break;
      [xs[i], xs[p]] = [xs[p]!, xs[i]!];
      i = p;
    }
  }
  pop(): OrderNode {
    const xs = this.#items;
    const top = xs[0]!;
    const last = xs.pop()!;
    if (xs.length === 0) return top;
    xs[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < xs.length && before(xs[l]!, xs[m]!)) m = l;
      if (r < xs.length && before(xs[r]!, xs[m]!)) m = r;
      if (m === i) break;
      [xs[i], xs[m]] = [xs[m]!, xs[i]!];
      i = m;
    }
    return top;
  }
}

/**
 * The nodes in canonical order. Parents not among `nodes` (a range's boundary, a shallow clone)
 * count as already placed. Throws on a cycle, which a commit graph cannot have: the input is
 * then not a history.
 */
export function canonicalOrder<T extends OrderNode>(nodes: readonly T[]): T[] {
  const bySha = new Map<string, T>();
  for (const n of nodes) bySha.set(n.sha, n);
  const waiting = new Map<string, number>();
  const children = new Map<string, T[]>();
  const ready = new ReadyHeap();
  for (const n of bySha.values()) {
    const inside = new Set(n.parents.filter((p) => bySha.has(p)));
    waiting.set(n.sha, inside.size);
    for (const p of inside) {
      const list = children.get(p);
      if (list) list.push(n);
      else children.set(p, [n]);
    }
    if (inside.size === 0) ready.push(n);
  }
  const out: T[] = [];
  while (ready.size > 0) {
    const n = ready.pop() as T;
    out.push(n);
    for (const c of children.get(n.sha) ?? []) {
      const left = (waiting.get(c.sha) ?? 0) - 1;
      waiting.set(c.sha, left);
      if (left === 0) ready.push(c);
    }
  }
  if (out.length !== bySha.size)
    throw new Error(`the commits form a cycle: ${bySha.size - out.length} of ${bySha.size} cannot be ordered`);
  return out;
}
