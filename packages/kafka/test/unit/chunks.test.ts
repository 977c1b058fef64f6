import { describe, expect, it } from 'vitest';
import type { Message } from 'kafkajs';
import { chunksOf } from '../../src/producer.ts';

const record = (i: number, bytes: number): Message => ({
  key: 'github:acme/repo',
  value: Buffer.alloc(bytes, i),
  headers: { 'event-id': `e${i}` },
});

describe('chunksOf (one produce request each)', () => {
  it('cuts a send into runs under the byte limit, in order, none empty', () => {
    // Twelve 200 KB records: a broker with the default 1 MiB message.max.bytes refuses them as
    // one record batch; four runs of at most 900 KiB each it accepts.
    const messages = Array.from({ length: 12 }, (_, i) => record(i, 200_000));
    const chunks = chunksOf(messages, 900 * 1024);
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 4]);
    expect(chunks.flat()).toEqual(messages);
    for (const c of chunks)
      expect(c.reduce((n, m) => n + (m.value as Buffer).length, 0)).toBeLessThanOrEqual(900 * 1024);
  });

  it('sends a record over the limit alone, and small sends whole', () => {
    const messages = [record(0, 10), record(1, 2_000_000), record(2, 10), record(3, 10)];
    expect(chunksOf(messages, 900 * 1024).map((c) => c.map((m) => m.headers!['event-id']))).toEqual([
      ['e0'],
      ['e1'],
      ['e2', 'e3'],
    ]);
    expect(chunksOf([], 1024)).toEqual([]);
  });
});
