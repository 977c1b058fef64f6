// patches/kafkajs@2.2.4.patch makes kafkajs's protocol Encoder take its buffers from
// Buffer.allocUnsafe (no zero fill, Node's pool) and write varints in place. That is only sound
// if every byte a request carries is written by the encoder itself. These tests hand the encoder
// dirty memory and check that nothing of it reaches the bytes, and that the varints are Kafka's.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

const require = createRequire(import.meta.url);
interface KafkaEncoder {
  buf: Buffer;
  buffer: Buffer;
  writeVarInt(v: number): KafkaEncoder;
  writeUVarInt(v: number): KafkaEncoder;
  writeInt32(v: number): KafkaEncoder;
  writeVarIntString(v: string): KafkaEncoder;
}
const Encoder = require('kafkajs/src/protocol/encoder.js') as new (size?: number) => KafkaEncoder;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (o: object) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: object) => unknown;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
  records: { key: Buffer; value: Buffer; headers: Record<string, Buffer> }[];
}>;
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
function dirtyAllocations(fill: number): void {
  vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((n: number) => allocUnsafe(n).fill(fill));
}
afterEach(() => vi.restoreAllMocks());

// Zigzag varints from the Kafka protocol guide's examples and LEB128 edges.
const varints: [number, number[]][] = [
  [0, [0x00]],
  [-1, [0x01]],
  [1, [0x02]],
  [63, [0x7e]],
  [-64, [0x7f]],
  [64, [0x80, 0x01]],
  [300, [0xd8, 0x04]],
  [2 ** 31 - 1, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
  [-(2 ** 31), [0xff, 0xff, 0xff, 0xff, 0x0f]],
];

async function batchOf(records: { key: string; value: Buffer; headers: Record<string, string> }[]): Promise<Buffer> {
  const encoded = records.map((r, i) =>
    Record({ offsetDelta: i, timestampDelta: i, key: Buffer.from(r.key), value: r.value, headers: r.headers }),
  );
  const batch = await RecordBatch({
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000 + records.length,
    lastOffsetDelta: records.length - 1,
    records: encoded,
  });
  return Buffer.from(batch.buffer);
}

describe('kafkajs Encoder with the omen patch', () => {
  it.each(varints)('writes varint %d as Kafka does', (value, bytes) => {
    dirtyAllocations(0xee);
    expect([...new Encoder().writeVarInt(value).buffer]).toEqual(bytes);
  });

  it('writes varints in place across buffer growth, next to other fields', () => {
    dirtyAllocations(0xee);
    const e = new Encoder(1); // 2 bytes: every write below grows the buffer
    e.writeInt32(7)
      .writeUVarInt(2 ** 32 - 1)
      .writeVarInt(300)
      .writeVarIntString('é');
    expect([...e.buffer]).toEqual([0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xd8, 0x04, 0x04, 0xc3, 0xa9]);
  });

  it('makes the same record batch from dirty and from zeroed memory, and it decodes with a valid CRC', async () => {
    const records = Array.from({ length: 40 }, (_, i) => ({
      key: `github:acme/repo:${i.toString(16).padStart(40, '0')}`,
      value: Buffer.from(`value-${i}-`.repeat(1 + ((i * 37) % 300))),
      headers: { 'omen-event-id': `event-${i}`, traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, é: 'ü' },
    }));
    dirtyAllocations(0xee);
    const dirty = await batchOf(records);
    vi.restoreAllMocks();
    dirtyAllocations(0x00);
    const zeroed = await batchOf(records);
    expect(dirty.equals(zeroed)).toBe(true);

    // FirstOffset (8) + Length (4) + PartitionLeaderEpoch (4) + Magic (1), then the CRC over the rest.
    expect(dirty.readUInt32BE(17)).toBe(crc32C(dirty.subarray(21)));
    const decoded = await decodeBatch(new Decoder(dirty));
    expect(decoded.records.map((r) => r.key.toString())).toEqual(records.map((r) => r.key));
    expect(decoded.records.every((r, i) => r.value.equals(records[i]!.value))).toBe(true);
    expect(decoded.records[3]!.headers['é']!.toString()).toBe('ü');
  });
});
