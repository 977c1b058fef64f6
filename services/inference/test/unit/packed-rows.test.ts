import { describe, expect, it } from 'vitest';
import { featureRegistry } from '@omen/features';
import { packRows, packedColumns } from '../../src/domain/packed-rows.ts';
import { inlineRow } from '../../src/domain/inputs.ts';
import { JIT_NAMES, jitValues } from '../helpers/fixtures.ts';

const set = featureRegistry.get('jit_change_metrics', 1);

describe('packRows', () => {
  it('accepts and refuses exactly the rows inlineRow does, and packs the valid ones to the front', () => {
    // The request's own column order (reversed), so the column mapping is exercised too.
    const names = [...JIT_NAMES].reverse();
    const columns = packedColumns(set, names, 'packed.feature_names');
    const broken = [NaN, Infinity, -1, 0.5, 2, 1e12, -0.0];
    const rows = Array.from({ length: 200 }, (_, r) => {
      const row: Record<string, number> = { ...jitValues(r) };
      // Every third row gets one odd value in a feature that varies with the row.
      if (r % 3 === 0) row[JIT_NAMES[r % JIT_NAMES.length]!] = broken[r % broken.length]!;
      return row;
    });
    const values = Float64Array.from(rows.flatMap((row) => names.map((n) => row[n]!)));
    const x = new Float32Array(rows.length * set.features.length);
    const at = packRows(set, columns, values, rows.length, x);

    let k = 0;
    let refused = 0;
    rows.forEach((row, r) => {
      let expected: Float32Array | undefined;
      try {
        expected = inlineRow(set, row, 'row');
      } catch {
        expected = undefined;
      }
      if (!expected) {
        refused++;
        expect(at[r], `row ${r} should be refused`).toBe(-1);
        return;
      }
      expect(at[r], `row ${r} should be model row ${k}`).toBe(k);
      expect(Array.from(x.subarray(k * expected.length, (k + 1) * expected.length))).toEqual(Array.from(expected));
      k++;
    });
    // The fixture must have produced both kinds of row for the comparison to mean anything.
    expect(refused).toBeGreaterThan(0);
    expect(k).toBeGreaterThan(0);
  });
});
