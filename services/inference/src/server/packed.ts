import { endianness } from 'node:os';
import { InvalidArgumentError } from '@omen/errors';
import type { inferenceV1 } from '@omen/contracts';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The packed values, from whichever form carries them: `values`, or `values_f64le` read as
 * float64 without a copy where the bytes are 8-byte aligned (one copy where not).
 */
export function packedValues(packed: inferenceV1.PackedRows__Output): ArrayLike<number> {
  const bytes = packed.values_f64le;
  if (!bytes || bytes.length === 0) return packed.values;
  if (packed.values.length > 0)
    throw new InvalidArgumentError('packed: set values or values_f64le, not both', 'packed.values_f64le');
  if (bytes.length % 8 !== 0)
    throw new InvalidArgumentError(
      `packed.values_f64le has ${bytes.length} bytes, not a whole number of float64 values`,
      'packed.values_f64le',
    );
  const n = bytes.length / 8;
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float64Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
  }
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, n);
  const aligned = new Float64Array(n);
  new Uint8Array(aligned.buffer).set(bytes);
  return aligned;
}

/**
 * The number of rows in `packed` after checking its shape (names unique, values a whole number
 * of rows, at most `maxRows`, no ids or one per row); 0 when nothing is packed. `values` is
 * packedValues(packed).
 */
export function packedRowCount(
  packed: inferenceV1.PackedRows__Output | null | undefined,
  maxRows: number,
  values: ArrayLike<number> = packed ? packedValues(packed) : [],
): number {
  if (!packed) return 0;
  const names = packed.feature_names;
  if (names.length === 0) {
    if (values.length === 0) return 0;
    throw new InvalidArgumentError('packed.feature_names is empty but packed.values is not', 'packed.feature_names');
  }
  if (new Set(names).size !== names.length)
    throw new InvalidArgumentError('packed.feature_names has a name twice', 'packed.feature_names');
  const field = values === packed.values ? 'packed.values' : 'packed.values_f64le';
  if (values.length % names.length !== 0) {
    throw new InvalidArgumentError(
      `${field} has ${values.length} values, not a multiple of the ${names.length} feature names`,
      field,
    );
  }
  const rows = values.length / names.length;
  if (rows > maxRows) throw new InvalidArgumentError(`packed has ${rows} rows; at most ${maxRows} per call`, field);
  if (packed.entity_ids.length !== 0 && packed.entity_ids.length !== rows) {
    throw new InvalidArgumentError(
      `packed.entity_ids has ${packed.entity_ids.length} ids for ${rows} rows; give none or one per row`,
      'packed.entity_ids',
    );
  }
  return rows;
}

/**
 * PredictBatchRequest.packed → one inline-feature request per row (the answer with one
 * PredictResult per row). The point of the packed form is the wire: protobuf decodes one repeated
 * double far faster than a map per row; rebuilding the per-row objects here costs about a
 * microsecond a row.
 */
export function expandPacked(
  packed: inferenceV1.PackedRows__Output | null | undefined,
  maxRows: number,
): inferenceV1.PredictRequest__Output[] {
  if (!packed) return [];
  const values = packedValues(packed);
  const rows = packedRowCount(packed, maxRows, values);
  if (rows === 0) return [];
  const names = packed.feature_names;
  const out: inferenceV1.PredictRequest__Output[] = new Array<inferenceV1.PredictRequest__Output>(rows);
  for (let r = 0; r < rows; r++) {
    const row: Record<string, number> = {};
    for (let f = 0; f < names.length; f++) row[names[f]!] = values[r * names.length + f]!;
    out[r] = {
      model_name: packed.model_name,
      model_version: packed.model_version,
      features: {
        values: row,
        feature_set: packed.feature_set,
        feature_set_version: packed.feature_set_version,
        repo_id: packed.repo_id,
        entity_id: packed.entity_ids[r] ?? '',
      },
      input: 'features',
      top_k: packed.top_k,
      request_id: '',
    };
  }
  return out;
}
