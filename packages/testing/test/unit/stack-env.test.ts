import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomName, stackEnv } from '../../src/index.ts';

const KEYS = [
  'KAFKA_BROKERS',
  'SCHEMA_REGISTRY_URL',
  'CLICKHOUSE_URL',
  'REDIS_URL',
  'NATS_URL',
  'PROMETHEUS_URL',
] as const;

describe('stackEnv', () => {
  let home: string;
  const saved: Record<string, string | undefined> = {};

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'omen-home-'));
    for (const k of [...KEYS, 'OMEN_HOME']) saved[k] = process.env[k];
    for (const k of KEYS) delete process.env[k];
    process.env['OMEN_HOME'] = home;
  });

  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('tells to start the stack, naming what is missing, when nothing is set', () => {
    expect(() => stackEnv()).toThrow(
      'KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_URL, REDIS_URL, NATS_URL, PROMETHEUS_URL not set and not in .omen/stack.env: run ./scripts/omen stack up (or export them to use other engines)',
    );
  });

  it('reads .omen/stack.env, with the environment taking precedence', () => {
    writeFileSync(join(home, 'stack.env'), KEYS.map((k) => `${k}=file-${k}\n`).join(''));
    process.env['REDIS_URL'] = 'redis://from-env:6379';
    const env = stackEnv();
    expect(env.REDIS_URL).toBe('redis://from-env:6379');
    expect(env.KAFKA_BROKERS).toBe('file-KAFKA_BROKERS');
  });

  it('requires only the keys asked for', () => {
    process.env['CLICKHOUSE_URL'] = 'http://127.0.0.1:8123';
    expect(stackEnv('CLICKHOUSE_URL')).toEqual({ CLICKHOUSE_URL: 'http://127.0.0.1:8123' });
    expect(() => stackEnv('CLICKHOUSE_URL', 'NATS_URL')).toThrow(/^NATS_URL not set/);
  });
});

describe('randomName', () => {
  it('is unique and valid as a topic and as a consumer group', () => {
    const names = new Set(Array.from({ length: 100 }, () => randomName('orders')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^orders-[0-9a-f]{8}$/);
  });

  it('refuses a prefix that would make an invalid group name', () => {
    expect(() => randomName('Bad_Prefix')).toThrow(/randomName prefix must match/);
  });
});
