import { describe, expect, it } from 'vitest';
import {
  allTopics,
  loadTopicManifest,
  parseRetention,
  parseTopicManifest,
  TopicManifestError,
  type ManifestIssue,
} from '@omen/topics';

const minimal = 'topics:\n  - name: scm.commits.v1\n    schema: schemas/commit.avsc\n';

function issuesOf(text: string): ManifestIssue[] {
  try {
    parseTopicManifest(text, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(TopicManifestError);
    return [...(err as TopicManifestError).issues];
  }
  throw new Error('expected the manifest to be refused');
}

describe('parseTopicManifest', () => {
  it('applies defaults to a minimal topic', () => {
    const m = parseTopicManifest(minimal);
    expect(m.topics).toEqual([
      {
        name: 'scm.commits.v1',
        partitions: 6,
        retention: '7d',
        retentionMs: 7 * 86_400_000,
        cleanupPolicy: 'delete',
        schema: 'schemas/commit.avsc',
        consumers: [],
        dlqOf: null,
      },
    ]);
    expect(m.dlq).toEqual({ partitions: 1, retention: '14d', retentionMs: 14 * 86_400_000 });
  });

  it('lets a topic override the defaults, and the defaults be changed', () => {
    const m = parseTopicManifest(
      'defaults: { partitions: 3, retention: 12h }\n' +
        'topics:\n' +
        '  - { name: a.b.v1, schema: schemas/a.avsc }\n' +
        '  - { name: c.d.v2, schema: schemas/c.avsc, partitions: 12, retention: forever, cleanupPolicy: compact }\n',
    );
    expect(m.topics.map((t) => [t.partitions, t.retentionMs, t.cleanupPolicy])).toEqual([
      [3, 12 * 3_600_000, 'delete'],
      [12, -1, 'compact'],
    ]);
  });

  it('names the path, the line and the bound of an out-of-range partition count', () => {
    const issues = issuesOf('topics:\n  - name: a.b.v1\n    schema: schemas/a.avsc\n    partitions: 5000\n');
    expect(issues).toEqual([{ path: 'topics[0].partitions', line: 4, message: 'must be at most 1024 (got 5000)' }]);
    expect(issuesOf(minimal.replace('commit.avsc', 'commit.avsc\n    partitions: 0'))[0]?.message).toBe(
      'must be at least 1 (got 0)',
    );
    expect(issuesOf(minimal.replace('commit.avsc', 'commit.avsc\n    partitions: 2.5'))[0]?.path).toBe(
      'topics[0].partitions',
    );
  });

  it('refuses unknown keys, so a typo does not silently fall back to a default', () => {
    const issues = issuesOf(minimal.replace('commit.avsc', 'commit.avsc\n    partition: 3'));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('topics[0]');
    expect(issues[0]?.message).toContain('"partition"');
  });

  it('refuses bad names, schemas, retentions, policies and groups, each at its own path', () => {
    const issues = issuesOf(
      'topics:\n' +
        '  - name: Commits\n' +
        '    schema: commit.json\n' +
        '    retention: 7 days\n' +
        '    cleanupPolicy: shred\n' +
        '    consumers: [Featurizer]\n',
    );
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['topics[0].name', 2],
      ['topics[0].schema', 3],
      ['topics[0].retention', 4],
      ['topics[0].cleanupPolicy', 5],
      ['topics[0].consumers[0]', 6],
    ]);
    expect(issues[4]?.message).toContain('"Featurizer"');
  });

  it('refuses a hand-listed dead-letter topic', () => {
    const issues = issuesOf('topics:\n  - { name: scm.commits.v1.dlq.featurizer.v1, schema: schemas/a.avsc }\n');
    expect(issues[0]?.message).toContain('dead-letter topics are derived');
  });

  it('refuses duplicate topics and duplicate consumer groups', () => {
    const issues = issuesOf(
      'topics:\n' +
        '  - { name: a.b.v1, schema: schemas/a.avsc }\n' +
        '  - { name: a.b.v1, schema: schemas/a.avsc, consumers: [x, x] }\n',
    );
    expect(issues.map((i) => i.path)).toEqual(['topics[1].name', 'topics[1].consumers[1]']);
    expect(issues[0]?.message).toBe('duplicate topic "a.b.v1" (first at topics[0])');
  });

  it('refuses an empty manifest and broken YAML with the line', () => {
    expect(issuesOf('topics: []\n')[0]).toMatchObject({ path: 'topics', message: 'must list at least one topic' });
    expect(issuesOf('')[0]?.path).toBe('');
    const yamlIssue = issuesOf('topics:\n  - name: a.b.v1\n    name: c.v1\n')[0];
    expect(yamlIssue?.message).toMatch(/^YAML: Map keys must be unique/);
    expect(yamlIssue?.line).toBe(3);
  });

  it('is an INVALID_ARGUMENT error', () => {
    expect(() => parseTopicManifest('topics: 3\n')).toThrow(TopicManifestError);
    try {
      parseTopicManifest('topics: 3\n');
    } catch (err) {
      expect((err as TopicManifestError).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('puts the file name in the error message', () => {
    expect(() => parseTopicManifest('topics: 3\n', 'conf/topics.yaml')).toThrow(
      /^conf\/topics\.yaml: invalid topic manifest:\n {2}line 1: topics: /,
    );
  });
});

describe('parseRetention', () => {
  it('converts each unit to milliseconds', () => {
    expect([
      parseRetention('250ms'),
      parseRetention('30s'),
      parseRetention('5m'),
      parseRetention('2h'),
      parseRetention('1d'),
    ]).toEqual([250, 30_000, 300_000, 7_200_000, 86_400_000]);
    expect(parseRetention('forever')).toBe(-1);
    expect(() => parseRetention('1w')).toThrow(/"1w"/);
  });
});

describe('loadTopicManifest', () => {
  it('loads the repository manifest: the nine topics with their schemas and consumers', () => {
    const m = loadTopicManifest();
    const byName = new Map(m.topics.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(
      [
        'audit.events.v1',
        'experiments.events.v1',
        'features.commits.v1',
        'labels.commits.v1',
        'monitoring.drift.v1',
        'predictions.v1',
        'scm.commits.v1',
        'scm.issues.v1',
        'scm.pullrequests.v1',
      ].sort(),
    );
    expect(byName.get('features.commits.v1')?.schema).toBe('schemas/commit_features.avsc');
    expect(byName.get('features.commits.v1')?.consumers).toEqual(['inference', 'drift-detector']);
    expect(byName.get('labels.commits.v1')?.consumers).toEqual(['drift-detector', 'trainer-coordinator', 'ab-router']);
  });

  it('reports an unreadable file by its path', () => {
    expect(() => loadTopicManifest('/nonexistent/topics.yaml')).toThrow(
      /^\/nonexistent\/topics\.yaml: invalid topic manifest:\n.*cannot read/,
    );
  });
});

describe('allTopics', () => {
  it('adds one dead-letter topic per consumer group, after the declared topics', () => {
    const m = parseTopicManifest(
      'dlq: { partitions: 2, retention: 3d }\n' +
        'topics:\n' +
        '  - { name: a.b.v1, schema: schemas/a.avsc, partitions: 8, consumers: [g1, g2] }\n' +
        '  - { name: c.d.v1, schema: schemas/c.avsc }\n',
    );
    const all = allTopics(m);
    expect(all.map((t) => t.name)).toEqual(['a.b.v1', 'c.d.v1', 'a.b.v1.dlq.g1', 'a.b.v1.dlq.g2']);
    expect(all[2]).toMatchObject({
      partitions: 2,
      retentionMs: 3 * 86_400_000,
      cleanupPolicy: 'delete',
      schema: null,
      dlqOf: { topic: 'a.b.v1', group: 'g1' },
    });
  });

  it('derives one dead-letter topic per (topic, consuming group) of the repository manifest, none for unconsumed topics', () => {
    const manifest = loadTopicManifest();
    const dlqs = allTopics(manifest).filter((t) => t.dlqOf !== null);
    const pairs = manifest.topics.flatMap((t) => t.consumers.map((g) => `${t.name}.dlq.${g}`));
    expect(dlqs.map((t) => t.name).sort()).toEqual(pairs.sort());
    expect(dlqs).toHaveLength(10);
    expect(dlqs.map((t) => t.name)).not.toContain('scm.pullrequests.v1.dlq.featurizer');
    expect(dlqs.map((t) => t.name)).not.toContain('experiments.events.v1.dlq.ab-router');
    expect(dlqs.map((t) => t.name)).toContain('predictions.v1.dlq.drift-detector');
    expect(dlqs.map((t) => t.name)).toContain('labels.commits.v1.dlq.ab-router');
    expect(dlqs.map((t) => t.name)).toContain('predictions.v1.dlq.scm-checks');
  });
});
