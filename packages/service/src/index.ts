export { runService } from './run.ts';
export type { ServiceContext, ServiceOptions, RunningService, DependencyOptions } from './run.ts';
export { baseConfigSchema, jwtOptionsFrom } from './config.ts';
export type { BaseConfigShape, PortDefaults } from './config.ts';
export { backoffDelayMs } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { connectNats, parseJsonObject } from './nats.ts';
export type { ConnectNatsOptions } from './nats.ts';
