import { describe, expect, it } from 'vitest';
import { KAMEI_FEATURES, parseJitCsv } from '../../src/domain/index.ts';
import { qtSlice } from '../helpers/fixtures.ts';

const header = ',_id,date,bug,__,ns,nd,nf,entrophy,la,ld,lt,fix,ndev,age,nuc,exp,rexp,sexp';

describe('parseJitCsv', () => {
  it('reads the ISSTA’21 layout, renames entrophy, ignores the __ column', () => {
    const d = parseJitCsv(`${header}\n0,abc,1451624412,1,1,1,1,1,0.0,12,3,6374,True,35,16.3,527,3226,15.8,115\n`);
    expect(d.featureNames).toEqual([...KAMEI_FEATURES]);
    expect([...d.x]).toEqual([1, 1, 1, 0, 12, 3, 6374, 1, 35, 16.3, 527, 3226, 15.8, 115]);
    expect([...d.y]).toEqual([1]);
    expect(d.ids).toEqual(['abc']);
    expect([...d.time]).toEqual([1451624412]);
  });

  it('names the line and column it cannot read', () => {
    expect(() => parseJitCsv(`${header}\n0,a,1,0,0,1,1,1,0,x,0,1,0,1,1,1,1,1,1\n`)).toThrow(
      'line 2: column "la" is not a number: "x"',
    );
    expect(() => parseJitCsv(`${header}\n0,a,1,2,0,1,1,1,0,1,0,1,0,1,1,1,1,1,1\n`)).toThrow(
      'line 2: bug must be 0 or 1, got 2',
    );
    expect(() => parseJitCsv('date,bug,ns\n1,0,1\n')).toThrow(/no column "nd"/);
    expect(() => parseJitCsv(`${header}\n`)).toThrow(/no rows/);
  });

  it('reads the real fixture in date order', () => {
    const d = qtSlice();
    expect(d.y.length).toBe(4000);
    for (let i = 1; i < d.time.length; i++) expect(d.time[i]!).toBeGreaterThanOrEqual(d.time[i - 1]!);
  });
});
