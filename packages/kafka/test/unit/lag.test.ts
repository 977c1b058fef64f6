import { describe, expect, it } from 'vitest';
import { computeLag } from '../../src/lag.ts';

describe('computeLag', () => {
  it('is high watermark minus committed offset per partition', () => {
    expect(
      computeLag(
        't',
        [
          { partition: 1, high: '50', low: '0' },
          { partition: 0, high: '10', low: '0' },
        ],
        [
          { partition: 0, offset: '4' },
          { partition: 1, offset: '50' },
        ],
      ).map((p) => [p.partition, p.lag]),
    ).toEqual([
      [0, 6],
      [1, 0],
    ]);
  });

  it('counts the whole retained log for a group that committed nothing', () => {
    const [p] = computeLag('t', [{ partition: 0, high: '30', low: '12' }], [{ partition: 0, offset: '-1' }]);
    expect(p).toMatchObject({ committed: '-1', lag: 18 });
    expect(computeLag('t', [{ partition: 0, high: '30', low: '12' }], [])[0]?.lag).toBe(18);
  });

  it('counts from the log start when retention removed committed-but-old records', () => {
    expect(computeLag('t', [{ partition: 0, high: '100', low: '90' }], [{ partition: 0, offset: '20' }])[0]?.lag).toBe(
      10,
    );
  });
});
