import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@omen/errors';
import { parseTopicManifest } from '@omen/topics';
import { brokerTopicLines, clickhouseConfigXml, formatEnvFile, parseEnvFile, readStackEnv, stackPorts } from '@omen/stack';

describe('stackPorts', () => {
  it('uses the documented defaults', () => {
    expect(stackPorts({})).toEqual({ clickhouseHttp: 18123, clickhouseTcp: 19000, redis: 16379, nats: 14222, natsMonitor: 18222, registry: 18081, prometheus: 19090 });
  });

  it('takes each port from its variable', () => {
    expect(stackPorts({ OMEN_REDIS_PORT: '26379', OMEN_NATS_PORT: ' 24222 ' })).toMatchObject({ redis: 26379, nats: 24222 });
  });

  it('refuses every bad value at once, naming the variable and the bound', () => {
    let caught: unknown;
    try {
      stackPorts({ OMEN_REDIS_PORT: 'abc', OMEN_NATS_PORT: '70000', OMEN_REGISTRY_PORT: '0' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      { variable: 'OMEN_REDIS_PORT', expected: 'an integer port 1-65535', got: '"abc"' },
      { variable: 'OMEN_NATS_PORT', expected: 'an integer port 1-65535', got: '"70000"' },
      { variable: 'OMEN_REGISTRY_PORT', expected: 'an integer port 1-65535', got: '"0"' },
    ]);
  });

  it('refuses two engines on one port', () => {
    expect(() => stackPorts({ OMEN_NATS_PORT: '18123' })).toThrow("OMEN_NATS_PORT: expected a port other than OMEN_CLICKHOUSE_HTTP_PORT's, got 18123");
  });
});

describe('stack.env', () => {
  it('round-trips through format and parse, in a fixed order, leaving out unknown addresses', () => {
    const text = formatEnvFile({ REDIS_URL: 'redis://127.0.0.1:16379', KAFKA_BROKERS: '127.0.0.1:1,127.0.0.1:2' });
    expect(text).toBe('KAFKA_BROKERS=127.0.0.1:1,127.0.0.1:2\nREDIS_URL=redis://127.0.0.1:16379\n');
    expect(parseEnvFile(`# comment\n\n${text}garbage\n`)).toEqual({ KAFKA_BROKERS: '127.0.0.1:1,127.0.0.1:2', REDIS_URL: 'redis://127.0.0.1:16379' });
  });

  describe('readStackEnv', () => {
    let home: string;
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    it('prefers the environment, then the file', () => {
      home = mkdtempSync(join(tmpdir(), 'omen-stack-'));
      writeFileSync(join(home, 'stack.env'), 'KAFKA_BROKERS=127.0.0.1:9\nNATS_URL=nats://127.0.0.1:4\n');
      const env = readStackEnv({ home, env: { KAFKA_BROKERS: 'kafka:9092', REDIS_URL: 'redis://r:6379' } });
      expect(env).toEqual({ KAFKA_BROKERS: 'kafka:9092', REDIS_URL: 'redis://r:6379', NATS_URL: 'nats://127.0.0.1:4' });
    });

    it('is empty without a file or variables', () => {
      home = mkdtempSync(join(tmpdir(), 'omen-stack-'));
      mkdirSync(join(home, 'stack'));
      expect(readStackEnv({ home, env: {} })).toEqual({});
    });
  });
});

describe('brokerTopicLines', () => {
  it('lists every topic and derived dead-letter topic with its partitions and consumer groups, for the C broker', () => {
    const manifest = parseTopicManifest('topics:\n  - { name: a.b.v1, schema: schemas/a.avsc, partitions: 3, consumers: [g, h] }\n');
    expect(brokerTopicLines(manifest)).toBe('a.b.v1 3 g,h\na.b.v1.dlq.g 1 -\na.b.v1.dlq.h 1 -\n');
  });
});

describe('clickhouseConfigXml', () => {
  it('listens on loopback only, on the given ports, with data under the given directory', () => {
    const xml = clickhouseConfigXml({ dataDir: '/d/a&b', httpPort: 1234, tcpPort: 5678 });
    expect(xml).toContain('<listen_host>127.0.0.1</listen_host>');
    expect(xml.match(/<listen_host>/g)).toHaveLength(1);
    expect(xml).toContain('<http_port>1234</http_port>');
    expect(xml).toContain('<tcp_port>5678</tcp_port>');
    expect(xml).toContain('<path>/d/a&amp;b/data/</path>');
    expect(xml).not.toContain('interserver_http_port');
  });
});
