import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  avroSchema,
  avroType,
  schemaForTopic,
  schemaNames,
  subjectForTopic,
  topicSchemas,
  type AvroRecords,
  type Commit,
} from '../../src/index.ts';

type Json = Record<string, unknown>;

// Walks a schema and yields every record definition (nested ones included).
function* records(type: unknown): Generator<Json> {
  if (Array.isArray(type)) {
    for (const t of type) yield* records(t);
    return;
  }
  if (type === null || typeof type !== 'object') return;
  const t = type as Json;
  if (t['type'] === 'record') {
    yield t;
    for (const f of t['fields'] as Json[]) yield* records(f['type']);
  } else if (t['type'] === 'array') yield* records(t['items']);
  else if (t['type'] === 'map') yield* records(t['values']);
}

describe.each(schemaNames.map((n) => [n]))('schemas/%s.avsc', (name) => {
  const schema = avroSchema(name) as Json;
  const fields = schema['fields'] as Json[];
  const field = (n: string) => fields.find((f) => f['name'] === n);

  it('is a record in an omen.<domain>.v<N> namespace', () => {
    expect(schema['type']).toBe('record');
    expect(schema['namespace']).toMatch(/^omen\.[a-z]+\.v\d+$/);
  });

  it('carries event_id, event_time (timestamp-millis) and repo_id, the envelope every event shares', () => {
    expect(field('event_id')?.['type']).toBe('string');
    expect(field('event_time')?.['type']).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
    expect(field('repo_id')?.['type']).toBe('string');
  });

  it('documents every record, field and enum (analysts and producers read the docs as the contract)', () => {
    for (const rec of records(schema)) {
      expect(rec['doc'], `record ${String(rec['name'])}`).toEqual(expect.any(String));
      for (const f of rec['fields'] as Json[]) {
        expect(f['doc'], `${String(rec['name'])}.${String(f['name'])}`).toMatch(/\S/);
        const ft = f['type'] as Json;
        if (ft !== null && typeof ft === 'object' && ft['type'] === 'enum') {
          expect(ft['doc'], `enum ${String(ft['name'])}`).toEqual(expect.any(String));
          // An enum default lets readers of an older version read symbols added later.
          expect(ft['symbols']).toContain(ft['default']);
        }
      }
    }
  });

  it('round-trips a random value through avsc', () => {
    const type = avroType(name);
    const value: unknown = type.random();
    expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
  });

  it('is the value schema of exactly one contract topic', () => {
    expect(Object.values(topicSchemas).filter((s) => s === name)).toHaveLength(1);
  });
});

describe('topics and subjects', () => {
  it('maps every contract topic to its schema and Confluent subject', () => {
    expect(schemaForTopic('scm.commits.v1')).toBe('commit');
    expect(schemaForTopic('features.commits.v1')).toBe('commit_features');
    expect(subjectForTopic('scm.commits.v1')).toBe('scm.commits.v1-value');
    expect(Object.keys(topicSchemas)).toHaveLength(schemaNames.length);
  });

  it('names the known topics for an unknown one, and refuses non-topic names', () => {
    expect(() => schemaForTopic('scm.commit.v1')).toThrow(
      /topic "scm.commit.v1" has no Avro contract; contract topics: scm.commits.v1/,
    );
    expect(() => subjectForTopic('')).toThrow(/not a Kafka topic name/);
    expect(() => subjectForTopic('a topic')).toThrow(/not a Kafka topic name: "a topic"/);
  });

  it('refuses an unknown schema name, listing the known ones', () => {
    expect(() => avroSchema('comit' as never)).toThrow(
      /unknown Avro schema "comit"; known: audit_event, commit, commit_features/,
    );
  });
});

describe('generated types describe what avsc decodes', () => {
  it('a Commit built to the generated interface encodes and decodes unchanged', () => {
    const commit: Commit = {
      event_id: 'github:expressjs/express:abc',
      event_time: 1_700_000_000_000,
      repo_id: 'github:expressjs/express',
      repo_name: 'expressjs/express',
      provider: 'github',
      sha: 'abc',
      parents: ['def'],
      author_id: 'a1',
      committer_id: 'c1',
      author_time: 1_699_999_999_000,
      commit_time: 1_700_000_000_000,
      message: 'fix: router',
      files: [
        {
          path: 'lib/router.js',
          old_path: null,
          status: 'modified',
          lines_added: 2,
          lines_deleted: 1,
          binary: false,
          hunks: [
            {
              old_start: 10,
              old_lines: 1,
              new_start: 10,
              new_lines: 2,
              deleted_lines: [{ number: 10, content: 'a' }],
              added_lines: [
                { number: 10, content: 'b' },
                { number: 11, content: 'c' },
              ],
            },
          ],
        },
      ],
      branch: null,
      source: 'git',
      line_counts_known: true,
    };
    const type = avroType('commit');
    const decoded = type.fromBuffer(type.toBuffer(commit)) as AvroRecords['commit'];
    expect(decoded).toEqual(commit);
  });

  it('a reader of the current schema maps an unknown enum symbol to the enum default', () => {
    const newer = structuredClone(avroSchema('commit')) as Json;
    const provider = (newer['fields'] as Json[]).find((f) => f['name'] === 'provider') as Json;
    (provider['type'] as Json)['symbols'] = [...((provider['type'] as Json)['symbols'] as string[]), 'bitbucket'];
    const writer = avro.Type.forSchema(newer as avro.Schema);
    const reader = avroType('commit');
    const value = { ...(writer.random() as unknown as Json), provider: 'bitbucket' };
    const read = reader.fromBuffer(writer.toBuffer(value), reader.createResolver(writer)) as Commit;
    expect(read.provider).toBe('other');
  });
});
