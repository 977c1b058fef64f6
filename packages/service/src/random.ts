// mulberry32: a tiny seeded PRNG. Math.random cannot be seeded, and what must be reproducible
// bit for bit uses it: the trainer's GBDT (from data, params, seed), the ab-router's bootstrap
// intervals, test fixtures. Not for anything secret. A subpath export (@omen/service/random) so
// pure domain code can take it without loading the rest of the kit.

/** A generator of uniform numbers in [0, 1), the same sequence for the same `seed`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
