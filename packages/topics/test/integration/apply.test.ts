import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { allTopics, applyTopics, DEFAULT_MANIFEST_PATH, loadTopicManifest, parseTopicManifest } from '@omen/topics';

// @omen/stack depends on this package, so the broker address is read here directly: the
// environment first, then the .omen/stack.env that `./scripts/omen stack up` writes.
function kafkaBrokers(): string[] {
  let value = process.env['KAFKA_BROKERS'];
  if (!value) {
    const file = DEFAULT_MANIFEST_PATH.replace(/topics\.yaml$/, '.omen/stack.env');
    value = /^KAFKA_BROKERS=(.*)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
  }
  if (!value) throw new Error('KAFKA_BROKERS is not set and .omen/stack.env lacks it: run ./scripts/omen stack up');
  return value.split(',');
}

describe('applyTopics against the running Kafka', () => {
  const brokers = kafkaBrokers();

  it('finds every topic of the repository manifest existing with its partitions (stack up / a previous apply made them)', async () => {
    const manifest = loadTopicManifest();
    const res = await applyTopics(manifest, { brokers });
    expect(res.create).toEqual([]);
    expect(res.mismatched).toEqual([]);
    expect(res.existing.map((e) => e.spec.name).sort()).toEqual(
      allTopics(manifest)
        .map((t) => t.name)
        .sort(),
    );
  });

  it('plans a missing topic and its dead-letter topic on a dry run, and creates nothing', async () => {
    const name = `test.apply-${randomUUID()}.v1`;
    const manifest = parseTopicManifest(
      `topics:\n  - { name: ${name}, schema: schemas/commit.avsc, partitions: 3, consumers: [probe] }\n`,
    );
    const res = await applyTopics(manifest, { brokers, dryRun: true });
    expect(res.dryRun).toBe(true);
    expect(res.create.map((t) => [t.name, t.partitions])).toEqual([
      [name, 3],
      [`${name}.dlq.probe`, 1],
    ]);
    expect(res.created).toEqual([]);
    const admin = new Kafka({ clientId: 'apply-test', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(name);
    } finally {
      await admin.disconnect();
    }
  });

  it('names the brokers when it cannot reach them', async () => {
    await expect(applyTopics(loadTopicManifest(), { brokers: ['127.0.0.1:1'], timeoutMs: 500 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('127.0.0.1:1'),
    });
  });
});
