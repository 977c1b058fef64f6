import { describe, expect, it } from 'vitest';
import { parseAvroSchema, RegistryError } from '../../src/index.ts';

const schema = {
  type: 'record',
  name: 'E',
  namespace: 'omen.test.v1',
  fields: [{ name: 'a', type: 'int', doc: 'A.' }],
};

describe('parseAvroSchema', () => {
  it('gives whitespace and key-order variants one identity, and serves compact JSON', () => {
    const compact = parseAvroSchema(JSON.stringify(schema));
    const pretty = parseAvroSchema(JSON.stringify(schema, null, 4));
    const reordered = parseAvroSchema(
      '{"fields":[{"doc":"A.","type":"int","name":"a"}],"namespace":"omen.test.v1","name":"E","type":"record"}',
    );
    expect(pretty.identity).toBe(compact.identity);
    expect(reordered.identity).toBe(compact.identity);
    expect(pretty.schema).toBe(JSON.stringify(schema));
  });

  it('gives a schema that differs in a default or a doc a different identity', () => {
    const base = parseAvroSchema(JSON.stringify(schema));
    const withDefault = parseAvroSchema(
      JSON.stringify({ ...schema, fields: [{ name: 'a', type: 'int', doc: 'A.', default: 0 }] }),
    );
    const otherDoc = parseAvroSchema(JSON.stringify({ ...schema, fields: [{ name: 'a', type: 'int', doc: 'B.' }] }));
    expect(withDefault.identity).not.toBe(base.identity);
    expect(otherDoc.identity).not.toBe(base.identity);
  });

  it.each([
    ['not a string', 42, /non-empty string/],
    ['empty', '  ', /non-empty string/],
    ['not JSON', '{type: record', /not JSON/],
    [
      'not Avro',
      '{"type":"record","name":"E","fields":[{"name":"a","type":"integer"}]}',
      /not a valid Avro schema.*integer/,
    ],
  ])('refuses %s with 42201', (_label, input, message) => {
    let caught: unknown;
    try {
      parseAvroSchema(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RegistryError);
    expect((caught as RegistryError).errorCode).toBe(42201);
    expect((caught as RegistryError).status).toBe(422);
    expect((caught as RegistryError).message).toMatch(message);
  });
});
