import { createRequire } from 'node:module';

interface ClusterPrototype {
  findControllerBroker: (this: ClusterPrototype) => Promise<unknown>;
  getNodeIds: (this: ClusterPrototype) => number[];
  findBroker: (this: ClusterPrototype, args: { nodeId: number }) => Promise<unknown>;
  [patched]?: true;
}

const patched = Symbol.for('omen.kafka.controllerFallback');

/**
 * kafkajs asks the *controller* for an idempotent producer's id (InitProducerId), though for
 * a non-transactional producer the protocol lets any broker answer. librdkafka's mock cluster
 * (our dev broker) reports a controller id that matches none of its brokers, so without this
 * an idempotent producer cannot connect there. When the named controller is not among the
 * known brokers we fall back to a known one; on a real cluster the controller is always
 * found and nothing changes. Patched once per process, on kafkajs' own Cluster class.
 */
export function installControllerFallback(): void {
  const require = createRequire(import.meta.url);
  const Cluster = require('kafkajs/src/cluster/index.js') as { prototype: ClusterPrototype };
  const proto = Cluster.prototype;
  if (proto[patched]) return;
  const original = proto.findControllerBroker;
  proto.findControllerBroker = async function findControllerBroker(this: ClusterPrototype) {
    try {
      return await original.call(this);
    } catch (err) {
      const [nodeId] = this.getNodeIds();
      if (!(err instanceof Error) || err.name !== 'KafkaJSBrokerNotFound' || nodeId === undefined) throw err;
      return this.findBroker({ nodeId });
    }
  };
  proto[patched] = true;
}

/** kafkajs' refused fetch, handed to the consumer that owns the partition. */
export interface OffsetOutOfRange {
  topic: string;
  partition: number;
  /** The offset the refused fetch asked for. */
  fetchOffset: string;
  /** Stops fetching the partition (kafkajs keeps its position: nothing is committed). */
  pause(): void;
  /** Moves the partition's position; with auto-commit off, commits nothing by itself. */
  seek(offset: string): Promise<void>;
}

export type OffsetOutOfRangeHandler = (event: OffsetOutOfRange) => Promise<void>;

interface ConsumerGroupLike {
  groupId: string;
  memberId: string | null;
  preferredReadReplicasPerTopicPartition: Record<string, Record<number, number> | undefined>;
  offsetManager: {
    nextOffset(topic: string, partition: number): { toString(): string };
    seek(args: { topic: string; partition: number; offset: string }): Promise<void>;
  };
  pause(topicPartitions: Array<{ topic: string; partitions: number[] }>): void;
}

const outOfRangePatched = Symbol.for('omen.kafka.offsetOutOfRange');

interface ConsumerGroupPrototype {
  recoverFromOffsetOutOfRange: (this: ConsumerGroupLike, e: { topic: string; partition: number }) => Promise<void>;
  [outOfRangePatched]?: true;
}

/** Handlers by group, each with the member id it answers for (one process may run several members). */
const outOfRangeHandlers = new Map<
  string,
  Set<{ memberId: () => string | undefined; handle: OffsetOutOfRangeHandler }>
>();

/**
 * kafkajs answers a fetch refused with OFFSET_OUT_OF_RANGE (the position is no longer in the
 * log: retention deleted it, or the log was truncated) by committing the default offset — the
 * log start or end — and logging one line: the position is overwritten and the records between
 * are skipped without a count, and a restart cannot tell. This hands the refusal to the owning
 * consumer instead, before anything moves; it counts the gap and applies its policy (gaps.ts).
 * Members without a handler, and refusals by a follower replica (kafkajs retries the leader
 * first), keep kafkajs' behaviour. Works the same on any Kafka: it is the broker's answer to a
 * fetch below the log start, not a trait of our dev broker.
 * @returns unregisters the handler
 */
export function onOffsetOutOfRange(
  groupId: string,
  memberId: () => string | undefined,
  handle: OffsetOutOfRangeHandler,
): () => void {
  installOutOfRangeHook();
  const entry = { memberId, handle };
  let set = outOfRangeHandlers.get(groupId);
  if (!set) outOfRangeHandlers.set(groupId, (set = new Set()));
  set.add(entry);
  return () => {
    set.delete(entry);
    if (set.size === 0) outOfRangeHandlers.delete(groupId);
  };
}

function installOutOfRangeHook(): void {
  const require = createRequire(import.meta.url);
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: ConsumerGroupPrototype };
  const proto = ConsumerGroup.prototype;
  if (proto[outOfRangePatched]) return;
  const original = proto.recoverFromOffsetOutOfRange;
  proto.recoverFromOffsetOutOfRange = async function recoverFromOffsetOutOfRange(this: ConsumerGroupLike, e) {
    const replicas = this.preferredReadReplicasPerTopicPartition[e.topic];
    const fromFollower = replicas !== undefined && typeof replicas[e.partition] === 'number';
    const entry = fromFollower
      ? undefined
      : [...(outOfRangeHandlers.get(this.groupId) ?? [])].find((h) => h.memberId() === this.memberId);
    if (!entry) return original.call(this, e);
    const { topic, partition } = e;
    await entry.handle({
      topic,
      partition,
      fetchOffset: this.offsetManager.nextOffset(topic, partition).toString(),
      pause: () => this.pause([{ topic, partitions: [partition] }]),
      seek: (offset) => this.offsetManager.seek({ topic, partition, offset }),
    });
  };
  proto[outOfRangePatched] = true;
}
