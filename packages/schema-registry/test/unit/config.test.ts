import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryConfigFromEnv } from '../../src/index.ts';

describe('registryConfigFromEnv', () => {
  it('defaults to 127.0.0.1:18081 and .omen/schema-registry', () => {
    expect(registryConfigFromEnv({})).toEqual({
      host: '127.0.0.1',
      port: 18081,
      dataDir: path.resolve('.omen/schema-registry'),
    });
  });

  it('reads OMEN_REGISTRY_HOST, OMEN_REGISTRY_PORT and OMEN_REGISTRY_DATA', () => {
    expect(
      registryConfigFromEnv({ OMEN_REGISTRY_HOST: '0.0.0.0', OMEN_REGISTRY_PORT: '0', OMEN_REGISTRY_DATA: '/tmp/r' }),
    ).toEqual({ host: '0.0.0.0', port: 0, dataDir: '/tmp/r' });
  });

  it.each(['65536', '-1', 'http', '80.5'])(
    'refuses OMEN_REGISTRY_PORT=%s naming the variable and the bound',
    (port) => {
      expect(() => registryConfigFromEnv({ OMEN_REGISTRY_PORT: port })).toThrow(
        /OMEN_REGISTRY_PORT must be an integer from 0 to 65535/,
      );
    },
  );
});
