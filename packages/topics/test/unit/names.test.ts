import { describe, expect, it } from 'vitest';
import {
  dlqTopic,
  parseDlqTopic,
  parseTopicManifest,
  planTopics,
  topicConfigEntries,
  TopicNameError,
} from '@omen/topics';

describe('dlqTopic', () => {
  it('is <topic>.dlq.<group>', () => {
    expect(dlqTopic('scm.commits.v1', 'featurizer')).toBe('scm.commits.v1.dlq.featurizer');
    expect(dlqTopic('predictions.v1', 'drift-detector')).toBe('predictions.v1.dlq.drift-detector');
  });

  it('refuses groups and topics that cannot form a topic name, naming the culprit', () => {
    expect(() => dlqTopic('scm.commits.v1', 'Feat urizer')).toThrow(TopicNameError);
    expect(() => dlqTopic('scm.commits.v1', '')).toThrow(/consumer group ""/);
    expect(() => dlqTopic('scm commits', 'featurizer')).toThrow(/topic "scm commits"/);
    expect(() => dlqTopic('a.v1.dlq.g', 'h')).toThrow(/already a dead-letter topic/);
    expect(() => dlqTopic(`${'a'.repeat(240)}.v1`, 'featurizer')).toThrow(/249/);
  });

  it('round-trips through parseDlqTopic', () => {
    expect(parseDlqTopic(dlqTopic('labels.commits.v1', 'trainer-coordinator'))).toEqual({
      topic: 'labels.commits.v1',
      group: 'trainer-coordinator',
    });
    expect(parseDlqTopic('labels.commits.v1')).toBeNull();
  });
});

describe('planTopics', () => {
  const manifest = parseTopicManifest(
    'topics:\n' +
      '  - { name: a.b.v1, schema: schemas/a.avsc, partitions: 6, consumers: [g] }\n' +
      '  - { name: c.d.v1, schema: schemas/c.avsc, partitions: 3 }\n',
  );

  it('creates what is missing, keeps what matches and reports partition mismatches', () => {
    const plan = planTopics(
      manifest,
      new Map([
        ['a.b.v1', 6],
        ['c.d.v1', 4],
        ['unrelated', 1],
      ]),
    );
    expect(plan.create.map((t) => t.name)).toEqual(['a.b.v1.dlq.g']);
    expect(plan.existing.map((e) => e.spec.name)).toEqual(['a.b.v1']);
    expect(plan.mismatched).toEqual([
      { spec: expect.objectContaining({ name: 'c.d.v1', partitions: 3 }), partitions: 4 },
    ]);
  });

  it('creates everything on an empty cluster', () => {
    expect(planTopics(manifest, new Map()).create.map((t) => t.name)).toEqual(['a.b.v1', 'c.d.v1', 'a.b.v1.dlq.g']);
  });

  it('turns retention and cleanup policy into Kafka topic configs', () => {
    const [first] = manifest.topics;
    expect(first && topicConfigEntries(first)).toEqual([
      { name: 'retention.ms', value: String(7 * 86_400_000) },
      { name: 'cleanup.policy', value: 'delete' },
    ]);
  });
});
