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
