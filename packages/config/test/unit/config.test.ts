import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CONFIG_EXIT_CODE,
  ConfigError,
  Secret,
  bool,
  durationMs,
  enumOf,
  exitOnConfigError,
  int,
  list,
  loadConfig,
  num,
  parseDurationMs,
  port,
  secret,
  str,
  url,
} from '@omen/config';

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses every helper into typed values and applies defaults', () => {
    const config = loadConfig(
      {
        GRPC_PORT: port({ default: 50051 }),
        METRICS_PORT: port(),
        KAFKA_BROKERS: list(),
        FLUSH: durationMs({ default: '30s' }),
        TIMEOUT: durationMs(),
        DEBUG: bool({ default: false }),
        BATCH: int({ min: 1, max: 1000 }),
        RATIO: num({ min: 0, max: 1 }),
        MODE: enumOf(['stream', 'batch'] as const),
        CLICKHOUSE_URL: url({ protocols: ['http', 'https'] }),
        NAME: str(),
        OPTIONAL_URL: url().optional(),
      },
      {
        METRICS_PORT: '0',
        KAFKA_BROKERS: ' a:9092, b:9092 ,,',
        TIMEOUT: '2m',
        DEBUG: 'YES',
        BATCH: '64',
        RATIO: '0.25',
        MODE: 'batch',
        CLICKHOUSE_URL: 'http://127.0.0.1:8123',
        NAME: 'featurizer',
        OPTIONAL_URL: '',
      },
    );
    expect(config).toEqual({
      GRPC_PORT: 50051,
      METRICS_PORT: 0,
      KAFKA_BROKERS: ['a:9092', 'b:9092'],
      FLUSH: 30_000,
      TIMEOUT: 120_000,
      DEBUG: true,
      BATCH: 64,
      RATIO: 0.25,
      MODE: 'batch',
      CLICKHOUSE_URL: 'http://127.0.0.1:8123',
      NAME: 'featurizer',
      OPTIONAL_URL: undefined,
    });
    // Type-level: the result is typed from the schema.
    const mode: 'stream' | 'batch' = config.MODE;
    const maybe: string | undefined = config.OPTIONAL_URL;
    expect([mode, maybe]).toEqual(['batch', undefined]);
  });

  it('reports every problem at once, naming variable, expectation and value', () => {
    const err = refusal(() =>
      loadConfig(
        {
          GRPC_PORT: port(),
          REDIS_URL: url({ protocols: ['redis'] }),
          BATCH: int({ min: 1, max: 1000 }),
          OK: bool({ default: true }),
        },
        { GRPC_PORT: '70000', BATCH: '0' },
      ),
    );
    expect(err.problems.map((p) => p.variable)).toEqual(['GRPC_PORT', 'REDIS_URL', 'BATCH']);
    expect(err.message).toContain('GRPC_PORT: expected a TCP port 0..65535, got "70000"');
    expect(err.message).toContain('REDIS_URL: expected a URL with scheme redis');
    expect(err.message).toContain('got nothing (unset)');
    expect(err.message).toContain('BATCH: expected an integer in 1..1000, got "0"');
  });

  it('never echoes values of secret-looking variables, nor URL passwords', () => {
    const err = refusal(() =>
      loadConfig(
        { ADMIN_TOKEN: secret({ minLength: 32 }), API_KEY: int(), REDIS_URL: url({ protocols: ['rediss'] }) },
        { ADMIN_TOKEN: 'hunter2', API_KEY: 'sk-live-abc', REDIS_URL: 'redis://:pa55word@redis:6379' },
      ),
    );
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('sk-live-abc');
    expect(err.message).not.toContain('pa55word');
    expect(err.message).toContain(
      'ADMIN_TOKEN: expected a secret of at least 32 characters, got a value of 7 characters (hidden: secret)',
    );
    expect(err.message).toContain('redis://:***@redis:6379');
  });

  it('rejects malformed values of each kind', () => {
    const cases: Array<[z.ZodType, string]> = [
      [port(), '80a'],
      [port(), '-1'],
      [int(), '1.5'],
      [num(), 'NaN'],
      [durationMs(), '10 parsecs'],
      [durationMs({ maxMs: 1000 }), '2s'],
      [bool(), 'maybe'],
      [enumOf(['a', 'b']), 'c'],
      [url(), 'not a url'],
      [list({ item: { test: (s) => /^[^:]+:\d+$/.test(s), describe: 'host:port' } }), 'a:1,b'],
      [str({ pattern: /^[a-z-]+$/, describe: 'a lower-case name' }), 'Upper'],
    ];
    for (const [schema, raw] of cases) {
      const err = refusal(() => loadConfig({ V: schema }, { V: raw }));
      expect(err.variable).toBe('V');
      expect(err.got).toBe(JSON.stringify(raw));
    }
  });

  it('accepts plain zod types alongside the helpers', () => {
    const err = refusal(() => loadConfig({ X: z.string() }, {}));
    expect(err.variable).toBe('X');
    expect(loadConfig({ X: z.string() }, { X: 'y' })).toEqual({ X: 'y' });
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['7d', 7 * 86_400_000],
    ['1.5s', 1500],
    ['250', 250],
  ])('%s = %i ms', (raw, ms) => expect(parseDurationMs(raw)).toBe(ms));

  it('refuses junk', () => {
    expect(parseDurationMs('5 minutes')).toBeUndefined();
    expect(parseDurationMs('1w')).toBeUndefined();
    expect(parseDurationMs('-5s')).toBeUndefined();
    expect(parseDurationMs('')).toBeUndefined();
  });
});

describe('Secret', () => {
  it('prints as [redacted] everywhere but reveal()', () => {
    const { TOKEN } = loadConfig({ TOKEN: secret() }, { TOKEN: 's3cr3t-value' });
    expect(TOKEN).toBeInstanceOf(Secret);
    expect(TOKEN.reveal()).toBe('s3cr3t-value');
    expect(String(TOKEN)).toBe('[redacted]');
    expect(JSON.stringify({ TOKEN })).toBe('{"TOKEN":"[redacted]"}');
    expect(inspect({ TOKEN })).not.toContain('s3cr3t');
  });
});

describe('exitOnConfigError', () => {
  it('writes one line per problem and exits with the config status', async () => {
    const lines: string[] = [];
    const exit = (code: number): never => {
      throw Object.assign(new Error('exit'), { exitCode: code });
    };
    await expect(
      exitOnConfigError(() => loadConfig({ A: port(), B: bool() }, { A: 'x', B: 'y' }), {
        stderr: { write: (s: string) => lines.push(s) },
        exit,
      }),
    ).rejects.toMatchObject({ exitCode: CONFIG_EXIT_CODE });
    expect(lines).toEqual([
      'config error: A: expected a TCP port 0..65535, got "x"\n',
      'config error: B: expected a boolean (true/false, 1/0, yes/no, on/off), got "y"\n',
    ]);
  });

  it('rethrows errors that are not about config', async () => {
    await expect(
      exitOnConfigError(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  const root = path.resolve(import.meta.dirname, '../../../..');
  const fixture = path.join(import.meta.dirname, '../fixtures/print-config.ts');
  const runChild = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', fixture], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('a child process with a bad env exits non-zero naming each variable, without the secret', () => {
    const child = runChild({ GRPC_PORT: 'http', FLUSH_INTERVAL: 'soon', ADMIN_TOKEN: '' });
    expect(child.status).toBe(CONFIG_EXIT_CODE);
    const lines = child.stderr.trim().split('\n');
    expect(lines).toEqual([
      'config error: GRPC_PORT: expected a TCP port 0..65535, got "http"',
      'config error: REDIS_URL: expected a URL with scheme redis (e.g. redis://host:port), got nothing (unset)',
      'config error: FLUSH_INTERVAL: expected a duration like 500ms, 30s, 2m, 1h, 7d or plain milliseconds, got "soon"',
      'config error: ADMIN_TOKEN: expected a non-empty secret, got nothing (unset)',
    ]);
    expect(child.stdout).toBe('');
  });

  it('the same child with a good env prints its config with the secret redacted', () => {
    const child = runChild({ REDIS_URL: 'redis://127.0.0.1:6379', ADMIN_TOKEN: 'tok-123456' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({
      GRPC_PORT: 50051,
      REDIS_URL: 'redis://127.0.0.1:6379',
      FLUSH_INTERVAL: 5000,
      ADMIN_TOKEN: '[redacted]',
    });
  });
});
