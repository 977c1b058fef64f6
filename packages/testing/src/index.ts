/**
 * Test helpers shared by every package and service: where the dev engines are, unique names,
 * and Kafka factories that clean up after themselves.
 *
 *   import { onTestFinished } from 'vitest';
 *   const topic = randomName('commits');
 *   const producer = await createTestProducer(onTestFinished, { schemas: { [topic]: schema } });
 *   await createTestConsumer(onTestFinished, { topics: [topic], handler: async (r) => seen.push(r) });
 *   const dlq = await readTopic(`${topic}.dlq.${group}`, { until: 1 });
 */
export { stackEnv } from './stack-env.ts';
export type { StackEnvironment } from './stack-env.ts';
export { randomName } from './names.ts';
export {
  clickhouseClusterName,
  clickhouseClusterNodes,
  clusterStackUp,
  deleteKeysMatching,
  natsClusterMonitorPorts,
  natsClusterNodes,
  redisClusterNodes,
  redisMasterOfSlot,
  waitNatsClusterHealthy,
  waitRedisClusterHealthy,
} from './cluster.ts';
export type { ClickHouseClusterNode, ClusterNode } from './cluster.ts';
export { freePort } from './ports.ts';
export { startServiceProcess } from './service-process.ts';
export type { ServiceProcess, ServiceProcessOptions } from './service-process.ts';
export { inProcessServiceEnv, runInProcess, startAppInProcess } from './service-env.ts';
export { startPrivateNats, startPrivateRedis } from './engines.ts';
export type { PrivateEngine } from './engines.ts';
export type { Cleanup } from './cleanup.ts';
export { FAST_CONSUMER, createTestConsumer, createTestKafka, createTestProducer, readTopic, waitFor } from './kafka.ts';
export type { ReadTopicOptions, TestConsumerOptions, TopicRecord } from './kafka.ts';
export { readPidFile, startPrivateBroker, stackPaths } from '@omen/stack';
export type { PrivateBroker, PrivateBrokerOptions } from '@omen/stack';
export { createTestIssuer } from './jwt-issuer.ts';
export { startOtlpReceiver } from './otlp.ts';
export { promtoolCheckMetrics } from './promtool.ts';
export type { OtlpReceiver, ReceivedSpan } from './otlp.ts';
export type { TestIssuer, TestTokenOptions } from './jwt-issuer.ts';
export { chromiumBinary, openInChromium, screenshotInChromium, svgMarksPerChart } from './chromium.ts';
export type { ChromiumPage } from './chromium.ts';
export { watchRun } from './trainer.ts';
