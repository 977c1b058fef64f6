import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import type { AvroRecords, SchemaName } from './generated/avro/index.ts';
import { schemaRoot } from './paths.ts';

export type { SchemaName, AvroRecords };

/** Every schema under schemas/, by file name without `.avsc`, sorted. */
export const schemaNames: readonly SchemaName[] = Object.freeze(
  readdirSync(schemaRoot)
    .filter((f) => f.endsWith('.avsc'))
    .map((f) => f.slice(0, -5) as SchemaName)
    .sort(),
);

/** Topic → the schema of its values. Keys are Kafka topic names, `<domain>.<entity>.v<N>`. */
export const topicSchemas = Object.freeze({
  'scm.commits.v1': 'commit',
  'scm.pullrequests.v1': 'pull_request',
  'scm.issues.v1': 'issue',
  'features.commits.v1': 'commit_features',
  'labels.commits.v1': 'label',
  'predictions.v1': 'prediction',
  'monitoring.drift.v1': 'drift_report',
  'experiments.events.v1': 'experiment_event',
  'audit.events.v1': 'audit_event',
} as const satisfies Record<string, SchemaName>);

export type ContractTopic = keyof typeof topicSchemas;

const schemaCache = new Map<SchemaName, avro.Schema>();
const typeCache = new Map<SchemaName, avro.Type>();

function assertSchemaName(name: string): asserts name is SchemaName {
  if (!(schemaNames as readonly string[]).includes(name)) {
    throw new RangeError(`unknown Avro schema "${name}"; known: ${schemaNames.join(', ')}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Path of a schema's .avsc file. */
export function schemaPath(name: SchemaName): string {
  assertSchemaName(name);
  return path.join(schemaRoot, `${name}.avsc`);
}

/** The schema as written in `schemas/<name>.avsc` (parsed JSON, frozen). */
export function avroSchema(name: SchemaName): avro.Schema {
  assertSchemaName(name);
  let schema = schemaCache.get(name);
  if (!schema) {
    const file = schemaPath(name);
    try {
      schema = deepFreeze(JSON.parse(readFileSync(file, 'utf8')) as avro.Schema);
    } catch (err) {
      throw new Error(`${file}: cannot read the Avro schema: ${(err as Error).message}`, { cause: err });
    }
    schemaCache.set(name, schema);
  }
  return schema;
}

/**
 * The avsc Type of a schema, parsed with avsc's defaults (no logical types registered, unions
 * unwrapped where unambiguous): the same options @kafkajs/confluent-schema-registry uses, so
 * a record decoded either way has the shape of {@link AvroRecords}.
 */
export function avroType(name: SchemaName): avro.Type {
  let type = typeCache.get(name);
  if (!type) {
    type = avro.Type.forSchema(avroSchema(name));
    typeCache.set(name, type);
  }
  return type;
}

/** The schema of a contract topic's values; throws for a topic without a contract. */
export function schemaForTopic(topic: string): SchemaName {
  const name = (topicSchemas as Record<string, SchemaName>)[topic];
  if (name === undefined) {
    throw new RangeError(
      `topic "${topic}" has no Avro contract; contract topics: ${Object.keys(topicSchemas).join(', ')}`,
    );
  }
  return name;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Confluent TopicNameStrategy: the registry subject of a topic's values, `<topic>-value`. */
export function subjectForTopic(topic: string): string {
  if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw new RangeError(`not a Kafka topic name: "${topic}" (1-249 characters of a-z A-Z 0-9 . _ -)`);
  }
  return `${topic}-value`;
}
