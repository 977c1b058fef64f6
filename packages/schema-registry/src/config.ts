import path from 'node:path';

/** Settings of the registry process, from the environment. */
export interface RegistryConfig {
  /** OMEN_REGISTRY_HOST. @default '127.0.0.1' */
  readonly host: string;
  /** OMEN_REGISTRY_PORT, 0-65535 (0 picks a free port). @default 18081 */
  readonly port: number;
  /** OMEN_REGISTRY_DATA, the state directory. @default '.omen/schema-registry' (relative to the working directory) */
  readonly dataDir: string;
}

/** Reads {@link RegistryConfig}; a bad value is refused naming the variable and the bound. */
export function registryConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): RegistryConfig {
  const host = env['OMEN_REGISTRY_HOST']?.trim() || '127.0.0.1';
  const rawPort = env['OMEN_REGISTRY_PORT']?.trim();
  let port = 18081;
  if (rawPort) {
    port = /^\d+$/.test(rawPort) ? Number(rawPort) : NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`OMEN_REGISTRY_PORT must be an integer from 0 to 65535; got "${rawPort}"`);
    }
  }
  const dataDir = path.resolve(env['OMEN_REGISTRY_DATA']?.trim() || '.omen/schema-registry');
  return { host, port, dataDir };
}
