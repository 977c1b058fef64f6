import avro from 'avsc';
import { RegistryError } from '../errors.ts';

/** A schema the registry accepted. */
export interface ParsedSchema {
  /** The schema as stored and served: the submitted JSON without insignificant whitespace. */
  readonly schema: string;
  /**
   * Identity used to decide "same schema": the JSON with object keys sorted. Whitespace and key
   * order never make a new version, while every attribute that matters for resolution (defaults,
   * aliases, logical types, order) and the docs (they are the contract analysts read) do.
   * Avro's Parsing Canonical Form (avsc's fingerprint) is deliberately not used: it drops
   * defaults, so adding a default — the usual fix for an incompatible change — would be
   * "the same schema" and return the old id.
   */
  readonly identity: string;
  readonly type: avro.Type;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    // Sorting never reorders anything Avro gives meaning to: fields, symbols and union
    // branches are arrays, so named-type definitions keep their order.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Parses and validates an Avro schema given as JSON text; 42201 when it is not one. */
export function parseAvroSchema(text: unknown): ParsedSchema {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new RegistryError(
      'INVALID_SCHEMA',
      'Invalid schema: "schema" must be a non-empty string holding the Avro schema as JSON',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RegistryError('INVALID_SCHEMA', `Invalid schema: not JSON: ${(err as Error).message}`, { cause: err });
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(json as avro.Schema);
  } catch (err) {
    throw new RegistryError('INVALID_SCHEMA', `Invalid schema: not a valid Avro schema: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return { schema: JSON.stringify(json), identity: JSON.stringify(sortKeys(json)), type };
}
