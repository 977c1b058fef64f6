export { runService } from './run.ts';
export type { ServiceContext, ServiceOptions, RunningService, DependencyOptions, WatchOptions } from './run.ts';
export { baseConfigSchema, jwtOptionsFrom } from './config.ts';
export type { BaseConfigShape, PortDefaults } from './config.ts';
export { backoffDelayMs } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { withinMs } from './deadline.ts';
export { seededRandom } from './random.ts';
export { KeyedSerializer } from './serial.ts';
export { connectNats, natsProbe, NATS_PUBLISH_TIMEOUT_MS, parseJsonObject, publishFlushed } from './nats.ts';
export type { ConnectNatsOptions } from './nats.ts';
export {
  assertOneSlot,
  createRedisClient,
  CrossSlotError,
  guardSlots,
  isCluster,
  keySlot,
  pipelineBySlot,
} from './redis.ts';
export type { RedisClient, RedisClientOptions } from './redis.ts';
export { LogBuffer } from './log-buffer.ts';
export type { DropReason, LogBufferOptions } from './log-buffer.ts';
export { serveWorkerCalls, WorkerPool } from './worker.ts';
export type { Answer, CallOptions, WorkerPoolOptions } from './worker.ts';
