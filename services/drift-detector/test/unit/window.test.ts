import { describe, expect, it } from 'vitest';
import { ModelWindows, Reservoir, type Reference } from '../../src/domain/window.ts';
import { referenceStats } from '../helpers/reference.ts';

const ref = (version = 'v1'): Reference => ({
  model: 'm',
  version,
  featureSet: { name: 'fs', version: 1 },
  stats: referenceStats({ a: { sample: [1, 2, 3] } }, [0.1, 0.2], 0.3),
});
const features = (id: string, t: number, repo = 'r1', a = 1) => ({
  kind: 'features' as const,
  eventId: id,
  eventTime: t,
  repo,
  values: { a },
});

describe('ModelWindows', () => {
  it('counts into the repo window and the all-repos window, and closes them once event time passes end + lateness', () => {
    const w = new ModelWindows('m', { windowMs: 1000, latenessMs: 200, maxSamples: 100 });
    expect(w.add(ref(), features('e1', 100))).toBe('added');
    expect(w.add(ref(), features('e2', 900, 'r2'))).toBe('added');
    expect(w.openWindows()).toBe(3);
    w.add(ref(), features('e3', 1150));
    expect(w.takeClosed()).toEqual([]);
    w.add(ref(), features('e4', 1200));
    const closed = w.takeClosed();
    expect(closed.map((c) => [c.repo, c.start, c.end, c.features.get('a')!.count])).toEqual([
      ['*', 0, 1000, 2],
      ['r1', 0, 1000, 1],
      ['r2', 0, 1000, 1],
    ]);
  });

  it('counts a redelivered record once and a record for a closed window as late', () => {
    const w = new ModelWindows('m', { windowMs: 1000, latenessMs: 0, maxSamples: 100 });
    w.add(ref(), features('e1', 10));
    expect(w.add(ref(), features('e1', 10))).toBe('duplicate');
    w.add(ref(), features('e2', 1000));
    expect(w.takeClosed()[0]!.features.get('a')!.count).toBe(1);
    expect(w.add(ref(), features('e3', 999))).toBe('late');
  });

  it('keeps windows of two serving versions apart', () => {
    const w = new ModelWindows('m', { windowMs: 1000, latenessMs: 0, maxSamples: 100 });
    w.add(ref('v1'), features('e1', 10));
    w.add(ref('v2'), features('e2', 20));
    w.add(ref('v2'), features('e3', 5000));
    expect(
      w
        .takeClosed()
        .map((c) => `${c.version}/${c.repo}`)
        .sort(),
    ).toEqual(['v1/*', 'v1/r1', 'v2/*', 'v2/r1']);
  });

  it('skips non-finite feature values', () => {
    const w = new ModelWindows('m', { windowMs: 1000, latenessMs: 0, maxSamples: 100 });
    w.add(ref(), { kind: 'features', eventId: 'x', eventTime: 1, repo: 'r', values: { a: Number.NaN } });
    w.add(ref(), features('y', 2000));
    expect(w.takeClosed()[0]!.features.get('a')).toBeUndefined();
  });
});

describe('Reservoir', () => {
  it('keeps at most max values, counts all, and samples uniformly', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const hits = new Array<number>(10).fill(0);
    for (let trial = 0; trial < 2000; trial++) {
      const r = new Reservoir(3, random);
      for (let i = 0; i < 10; i++) r.add(i);
      expect(r.values).toHaveLength(3);
      expect(r.count).toBe(10);
      for (const v of r.values) hits[v]! += 1;
    }
    // Each value is kept with probability 3/10: 600 of 2000 expected; ±120 is > 5 sd.
    for (const h of hits) expect(Math.abs(h - 600)).toBeLessThan(120);
  });
});
