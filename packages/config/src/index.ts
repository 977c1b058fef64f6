export { loadConfig, exitOnConfigError, CONFIG_EXIT_CODE } from './load.ts';
export type { ConfigShape, ConfigOf, Env, ExitOptions } from './load.ts';
export { int, num, port, str, url, durationMs, parseDurationMs, bool, list, enumOf, secret } from './schema.ts';
export type {
  EnvSchema,
  IntOptions,
  NumberOptions,
  PortOptions,
  StrOptions,
  UrlOptions,
  DurationOptions,
  BoolOptions,
  ListOptions,
  EnumOptions,
  SecretOptions,
} from './schema.ts';
export { natsServers, natsUrl, parseRedisAddress, redisUrl } from './addresses.ts';
export type { RedisAddress, RedisNode } from './addresses.ts';
export { Secret, looksSecret, describeValue, maskUrlPassword } from './secret.ts';
export { ConfigError } from '@omen/errors';
export type { ConfigProblem } from '@omen/errors';
