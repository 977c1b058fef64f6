export { runService } from './run.ts';
export type { ServiceContext, ServiceOptions, RunningService, DependencyOptions, WatchOptions } from './run.ts';
export { baseConfigSchema } from './config.ts';
export type { BaseConfigShape, PortDefaults } from './config.ts';
export { backoffDelayMs } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { withinMs } from './deadline.ts';
export { connectNats, natsProbe, NATS_PUBLISH_TIMEOUT_MS, parseJsonObject, publishFlushed } from './nats.ts';
export type { ConnectNatsOptions } from './nats.ts';
