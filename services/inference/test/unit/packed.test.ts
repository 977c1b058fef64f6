import { describe, expect, it } from 'vitest';
import type { inferenceV1 } from '@omen/contracts';
import { expandPacked, packedValues } from '../../src/server/packed.ts';

const packed = (over: Partial<inferenceV1.PackedRows__Output>): inferenceV1.PackedRows__Output => ({
  model_name: '',
  model_version: '',
  feature_set: '',
  feature_set_version: 0,
  feature_names: ['la', 'ld'],
  values: [1, 2, 3, 4, 5, 6],
  entity_ids: [],
  repo_id: 'github:a/b',
  top_k: 2,
  packed_response: false,
  values_f64le: Buffer.alloc(0),
  ...over,
});

describe('expandPacked', () => {
  it('turns row-major values into one inline request per row', () => {
    const out = expandPacked(packed({ entity_ids: ['x', 'y', 'z'] }), 10);
    expect(out.map((r) => r.features?.values)).toEqual([
      { la: 1, ld: 2 },
      { la: 3, ld: 4 },
      { la: 5, ld: 6 },
    ]);
    expect(out.map((r) => r.features?.entity_id)).toEqual(['x', 'y', 'z']);
    expect(out.every((r) => r.input === 'features' && r.top_k === 2 && r.features?.repo_id === 'github:a/b')).toBe(
      true,
    );
  });

  it('is empty when nothing is packed', () => {
    expect(expandPacked(null, 10)).toEqual([]);
    expect(expandPacked(packed({ feature_names: [], values: [] }), 10)).toEqual([]);
  });

  it('names the field of every shape mistake', () => {
    expect(() => expandPacked(packed({ values: [1, 2, 3] }), 10)).toThrow(
      /packed\.values has 3 values, not a multiple of the 2/,
    );
    expect(() => expandPacked(packed({ feature_names: ['la', 'la'] }), 10)).toThrow(
      /packed\.feature_names has a name twice/,
    );
    expect(() => expandPacked(packed({ feature_names: [] }), 10)).toThrow(/packed\.feature_names is empty/);
    expect(() => expandPacked(packed({ entity_ids: ['x'] }), 10)).toThrow(/packed\.entity_ids has 1 ids for 3 rows/);
    expect(() => expandPacked(packed({}), 2)).toThrow(/packed has 3 rows; at most 2/);
  });

  it('reads values_f64le as the same rows as values, aligned or not', () => {
    const f64 = Buffer.from(new Float64Array([1, 2, 3, 4, 5, 6]).buffer);
    // Past a 1-byte offset, as a field inside a larger message arrives.
    const unaligned = Buffer.concat([Buffer.from([0]), f64]).subarray(1);
    for (const bytes of [f64, unaligned]) {
      expect(Array.from(packedValues(packed({ values: [], values_f64le: bytes })))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(expandPacked(packed({ values: [], values_f64le: bytes }), 10).map((r) => r.features?.values)).toEqual([
        { la: 1, ld: 2 },
        { la: 3, ld: 4 },
        { la: 5, ld: 6 },
      ]);
    }
  });

  it('refuses values_f64le beside values, and bytes that are not whole float64s', () => {
    const f64 = Buffer.from(new Float64Array([1, 2]).buffer);
    expect(() => packedValues(packed({ values_f64le: f64 }))).toThrow(/set values or values_f64le, not both/);
    expect(() => packedValues(packed({ values: [], values_f64le: f64.subarray(0, 12) }))).toThrow(
      /values_f64le has 12 bytes, not a whole number/,
    );
    expect(() => expandPacked(packed({ values: [], values_f64le: f64.subarray(0, 8) }), 10)).toThrow(
      /packed\.values_f64le has 1 values, not a multiple of the 2/,
    );
  });
});
