/*
 * Confluent wire format, what every Avro value on our topics looks like:
 *
 *   byte 0      magic byte, always 0
 *   bytes 1-4   schema id in the registry, big-endian signed int32
 *   bytes 5..   Avro binary encoding of the value under that schema
 *
 * We check the frame ourselves before asking the registry so that a record that is not ours
 * (wrong magic, too short) is told apart from one whose schema is unknown or unreachable: the
 * first two are poison at once, the last may be a passing outage.
 */

export const MAGIC_BYTE = 0;
export const WIRE_HEADER_BYTES = 5;

export type WireFrame = { ok: true; schemaId: number; payload: Buffer } | { ok: false; reason: string };

export function readWireFrame(bytes: Buffer | null | undefined): WireFrame {
  if (!bytes || bytes.length === 0) return { ok: false, reason: 'record has no value (null or empty)' };
  if (bytes[0] !== MAGIC_BYTE) {
    return { ok: false, reason: `wrong magic byte ${bytes[0]} (expected ${MAGIC_BYTE}: Confluent wire format)` };
  }
  if (bytes.length < WIRE_HEADER_BYTES) {
    return {
      ok: false,
      reason: `value is ${bytes.length} bytes, shorter than the ${WIRE_HEADER_BYTES}-byte wire header`,
    };
  }
  const schemaId = bytes.readInt32BE(1);
  if (schemaId <= 0) return { ok: false, reason: `schema id ${schemaId} in the wire header is not a registry id` };
  return { ok: true, schemaId, payload: bytes.subarray(WIRE_HEADER_BYTES) };
}

export function writeWireFrame(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(WIRE_HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}
