import { describe, expect, it } from 'vitest';
import { createKafka, type KafkaOptions } from '../../src/index.ts';

// Nothing here connects: options are checked when the client or consumer is created.
const base: KafkaOptions = { brokers: '127.0.0.1:1', registryUrl: 'http://127.0.0.1:1', clientId: 'unit' };
const handler = (): void => {};

describe('createKafka options', () => {
  it.each([
    [{ brokers: '' }, 'brokers must list at least one host:port'],
    [{ brokers: ['kafka'] }, 'brokers: "kafka" is not host:port'],
    [{ registryUrl: 'localhost:8081' }, 'registryUrl must be an http(s) URL; got "localhost:8081"'],
    [{ clientId: '' }, 'clientId must be a non-empty string'],
    [{ requestTimeoutMs: 10 }, 'requestTimeoutMs must be an integer in [100, 600000]; got 10'],
    [{ clientRetry: { retries: -1 } }, 'clientRetry.retries must be an integer in [0, 100]; got -1'],
  ])('refuses %j', (override, message) => {
    expect(() => createKafka({ ...base, ...override })).toThrow(message);
  });

  it('accepts brokers as the comma-separated KAFKA_BROKERS string', () => {
    expect(createKafka({ ...base, brokers: '127.0.0.1:1, 127.0.0.1:2' }).clientId).toBe('unit');
  });
});

describe('runConsumer options', () => {
  const kafka = createKafka(base);

  it.each([
    [{ group: '', topics: ['t'], handler }, 'group must be a non-empty string'],
    [{ group: 'g', topics: [], handler }, 'topics must list at least one topic'],
    [{ group: 'g', topics: ['t'] }, 'give exactly one of handler (per record) or batchHandler'],
    [
      { group: 'g', topics: ['t'], handler, batchHandler: handler },
      'give exactly one of handler (per record) or batchHandler',
    ],
    [{ group: 'Bad_Group', topics: ['t'], handler }, 'consumer group "Bad_Group" must match'],
    [
      { group: 'g', topics: ['t'], handler, heartbeatIntervalMs: 30_000 },
      'heartbeatIntervalMs must be an integer in [100, 29999]; got 30000',
    ],
    [
      { group: 'g', topics: ['t'], handler, maxWaitTimeMs: 20_000 },
      'maxWaitTimeMs must be an integer in [0, 15000]; got 20000',
    ],
    [{ group: 'g', topics: ['t'], handler, retries: { max: -1 } }, 'retries.max must be a number in [0, 1000]; got -1'],
  ])('refuses %j before connecting', async (options, message) => {
    await expect(kafka.runConsumer(options as Parameters<typeof kafka.runConsumer>[0])).rejects.toThrow(message);
  });
});
