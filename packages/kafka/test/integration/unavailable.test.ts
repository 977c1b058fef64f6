import { describe, expect, it, onTestFinished } from 'vitest';
import { avroSchema } from '@omen/contracts';
import { isRetryable } from '@omen/errors';
import { randomName, stackEnv } from '@omen/testing';
import { createKafka } from '../../src/index.ts';
import { commit } from '../fixtures/commits.ts';

// Nothing listens on port 1 of the loopback: a connection there is refused at once.
const DEAD = '127.0.0.1:1';

describe('unreachable dependencies', () => {
  it('a broker that is down fails the producer with UNAVAILABLE, retryable', async () => {
    const kafka = createKafka({
      brokers: DEAD,
      registryUrl: stackEnv('SCHEMA_REGISTRY_URL').SCHEMA_REGISTRY_URL,
      clientId: randomName('down'),
      connectionTimeoutMs: 500,
      clientRetry: { retries: 1, initialRetryTimeMs: 50 },
    });
    onTestFinished(() => kafka.close());
    const err = await kafka.producer().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(isRetryable(err)).toBe(true);
  });

  it('a registry that is down fails the send with UNAVAILABLE, retryable, naming the subject', async () => {
    const kafka = createKafka({
      brokers: stackEnv('KAFKA_BROKERS').KAFKA_BROKERS,
      registryUrl: `http://${DEAD}`,
      clientId: randomName('noreg'),
    });
    onTestFinished(() => kafka.close());
    const producer = await kafka.producer();
    const topic = randomName('noreg');
    const err = await producer
      .send(topic, [{ key: 'k', value: commit('github:a/b', 1) }], { schema: avroSchema('commit') })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining(`"${topic}-value"`) as unknown });
    expect(isRetryable(err)).toBe(true);
  });
});
