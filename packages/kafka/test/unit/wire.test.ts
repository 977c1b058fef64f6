import { describe, expect, it } from 'vitest';
import { readWireFrame, writeWireFrame } from '../../src/wire.ts';

describe('Confluent wire frame', () => {
  it('round-trips schema id and payload', () => {
    const bytes = writeWireFrame(257, Buffer.from([1, 2, 3]));
    expect([...bytes]).toEqual([0, 0, 0, 1, 1, 1, 2, 3]);
    const frame = readWireFrame(bytes);
    expect(frame).toEqual({ ok: true, schemaId: 257, payload: Buffer.from([1, 2, 3]) });
  });

  it.each([
    [null, 'record has no value (null or empty)'],
    [Buffer.alloc(0), 'record has no value (null or empty)'],
    [Buffer.from('{"json":true}'), 'wrong magic byte 123 (expected 0: Confluent wire format)'],
    [Buffer.from([0, 0, 1]), 'value is 3 bytes, shorter than the 5-byte wire header'],
    [Buffer.from([0, 0, 0, 0, 0, 9]), 'schema id 0 in the wire header is not a registry id'],
    [Buffer.from([0, 0xff, 0xff, 0xff, 0xff]), 'schema id -1 in the wire header is not a registry id'],
  ])('refuses %o: %s', (bytes, reason) => {
    expect(readWireFrame(bytes)).toEqual({ ok: false, reason });
  });
});
