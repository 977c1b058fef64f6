/**
 * A small Confluent-compatible schema registry (AVRO only) with real compatibility checking and
 * its state in one JSON file.
 *
 * @example
 * const registry = await createRegistryServer({ dataDir, port: 0 });
 * const client = new SchemaRegistry({ host: registry.url }); // @kafkajs/confluent-schema-registry
 * await registry.close();
 */
export { createRegistryServer, buildRegistryApp } from './server.ts';
export type { RegistryServer, RegistryServerOptions } from './server.ts';
export { registryConfigFromEnv } from './config.ts';
export type { RegistryConfig } from './config.ts';
export { RegistryStore, parseVersion, stateFileName } from './store.ts';
export type { SubjectVersion } from './store.ts';
export {
  checkCompatibility,
  readProblem,
  compatibilityLevels,
  defaultCompatibility,
  isCompatibilityLevel,
} from './domain/compatibility.ts';
export type { CompatibilityLevel, CompatibilityResult, VersionedType } from './domain/compatibility.ts';
export { parseAvroSchema } from './domain/schema.ts';
export type { ParsedSchema } from './domain/schema.ts';
export { RegistryError, registryErrorCodes } from './errors.ts';
export type { RegistryErrorName } from './errors.ts';
