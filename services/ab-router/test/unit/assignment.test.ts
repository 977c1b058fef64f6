import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assignArm, unitPoint } from '../../src/domain/assignment.ts';

const arms = [
  { name: 'control', weight: 70 },
  { name: 'treatment', weight: 20 },
  { name: 'other', weight: 10 },
];

describe('sticky assignment', () => {
  it('gives a unit the same arm every time, and the point is in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const unit = `github:acme/repo-${i}`;
      const first = assignArm('exp-1', unit, arms).name;
      expect(assignArm('exp-1', unit, arms).name).toBe(first);
      expect(
        assignArm(
          'exp-1',
          unit,
          arms.map((a) => ({ ...a })),
        ).name,
      ).toBe(first);
      const p = unitPoint('exp-1', unit);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(1);
    }
  });

  it('is a pure function of experiment and unit (sha256 of "<exp>:<unit>")', () => {
    // The first 52 bits of the digest, read as hex rather than through the Buffer path the source uses.
    const hex = createHash('sha256').update('exp-1:u').digest('hex').slice(0, 13);
    expect(unitPoint('exp-1', 'u')).toBe(parseInt(hex, 16) / 2 ** 52);
  });

  it('splits 100k synthetic units within a binomial tolerance of the weights', () => {
    // Synthetic ids under a fixed seed string: the hash must spread even sequential ids.
    const n = 100_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const unit = `seed-42:github:synthetic/repo-${i}`;
      const arm = assignArm('exp-shares', unit, arms).name;
      counts.set(arm, (counts.get(arm) ?? 0) + 1);
    }
    const total = arms.reduce((s, a) => s + a.weight, 0);
    for (const a of arms) {
      const p = a.weight / total;
      const sd = Math.sqrt(n * p * (1 - p));
      // 4.5 sd: a false alarm about once in 150k runs per arm.
      expect(Math.abs((counts.get(a.name) ?? 0) - n * p)).toBeLessThan(4.5 * sd);
    }
  });

  it('assigns a unit independently across experiments', () => {
    const two = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
    ];
    let same = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++)
      if (assignArm('exp-x', `u${i}`, two).name === assignArm('exp-y', `u${i}`, two).name) same++;
    // Independent: agreement ~ Binomial(n, 0.5).
    expect(Math.abs(same - n / 2)).toBeLessThan(4.5 * Math.sqrt(n / 4));
  });
});
