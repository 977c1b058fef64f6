// The Java client's DefaultPartitioner for keyed records: murmur2 of the key, positive, modulo
// the partition count, so a key lands on the partition any Kafka client would pick.
//
// Own code rather than kafkajs's Partitioners.DefaultPartitioner: kafkajs 2.2.4 computes
// murmur2 on its BigInt-backed Long without truncating to 32 bits, so the hash grows with every
// 4 key bytes and the work is quadratic in the key's length — a 1 MB key (an unvalidated
// repo_id on an audit event) held the event loop for minutes. Math.imul keeps every step in
// 32 bits, as Java's int arithmetic does; the result is the same for every key.
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 (Utils.murmur2) of `data`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last 1-3 bytes, highest first (Java's switch falls through its cases).
  const tail = length & ~3;
  if (length % 4 !== 0) {
    for (let i = length - 1; i >= tail; i--) h ^= data[i]! << (8 * (i - tail));
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** kafkajs's DefaultPartitioner with a linear-time murmur2; unkeyed records go round-robin. */
export const javaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) {
      const key = Buffer.isBuffer(message.key) ? message.key : Buffer.from(String(message.key));
      return (murmur2(key) & 0x7fffffff) % partitionMetadata.length;
    }
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    return available.length > 0 ? available[next % available.length]!.partitionId : next % partitionMetadata.length;
  };
};
