import { createRequire } from 'node:module';
import type { PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { javaCompatiblePartitioner, murmur2 } from '../../src/partitioner.ts';

// kafkajs's own (BigInt, quadratic) murmur2 is the reference: partitions must not move.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (
  key: Buffer,
) => number;

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 1, replicas: [1], isr: [1] }));

describe('murmur2', () => {
  it("equals kafkajs's murmur2 for every key (so partitions do not move)", () => {
    // Seeded keys of every length 0-67 (each tail case), bytes over the whole range.
    let state = 20261206;
    const byte = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
    for (let n = 0; n < 2000; n++) {
      const bytes = Uint8Array.from({ length: n % 68 }, byte);
      expect(murmur2(bytes)).toBe(kafkajsMurmur2(Buffer.from(bytes)));
    }
  });

  it("gives the Java client's value for a known key", () => {
    // org.apache.kafka.common.utils.Utils.murmur2("21".getBytes()) = -973932308 (Kafka's UtilsTest).
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
  });
});

describe('javaCompatiblePartitioner', () => {
  it('places a keyed record where kafkajs placed it, and an explicit partition as asked', () => {
    const pick = javaCompatiblePartitioner();
    for (const key of ['github:acme/app', 'git:express', '', 'é']) {
      expect(pick({ topic: 't', partitionMetadata: partitions(3), message: { key, value: null } })).toBe(
        (kafkajsMurmur2(Buffer.from(key)) & 0x7fffffff) % 3,
      );
    }
    expect(
      pick({ topic: 't', partitionMetadata: partitions(3), message: { key: 'x', value: null, partition: 2 } }),
    ).toBe(2);
  });

  it('regression (issue 11, inference stall): partitions a record with a 1 MB key — kafkajs took minutes, holding the event loop', () => {
    const pick = javaCompatiblePartitioner();
    const key = 'x'.repeat(1 << 20);
    expect(pick({ topic: 't', partitionMetadata: partitions(3), message: { key, value: null } })).toBe(
      (murmur2(Buffer.from(key)) & 0x7fffffff) % 3,
    );
  });

  it('spreads unkeyed records round-robin over the partitions with a leader', () => {
    const pick = javaCompatiblePartitioner();
    const meta = [...partitions(3), { partitionErrorCode: 0, partitionId: 3, leader: -1, replicas: [1], isr: [] }];
    const seen = new Set(
      Array.from({ length: 6 }, () => pick({ topic: 't', partitionMetadata: meta, message: { value: null } })),
    );
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});
