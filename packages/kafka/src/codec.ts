import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { OmenError } from '@omen/errors';
import { fromRegistryError } from './errors.ts';
import { WIRE_HEADER_BYTES, readWireFrame } from './wire.ts';

/**
 * An Avro schema as JSON text or as its parsed form (what `JSON.parse` of an .avsc gives, or
 * `avroSchema(name)` from @omen/contracts).
 */
export type AvroSchema = string | object;

/** TopicNameStrategy: a topic's values live under the subject `<topic>-value`. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

function schemaText(schema: AvroSchema, topic: string): string {
  if (typeof schema === 'string') {
    try {
      JSON.parse(schema);
    } catch (err) {
      throw new OmenError('INVALID_ARGUMENT', `schema for topic "${topic}" is not valid JSON`, { cause: err });
    }
    return schema;
  }
  return JSON.stringify(schema);
}

export interface DecodedValue {
  value: unknown;
  schemaId: number;
}

/**
 * Avro values in the Confluent wire format, with schemas kept in a Confluent-compatible
 * registry. The registry client caches schemas by id; we cache each topic's writer id.
 */
export class AvroCodec {
  readonly #registry: SchemaRegistry;
  readonly #writerIds = new Map<string, Promise<number>>();
  readonly #encoders = new Map<string, Promise<(value: unknown) => Buffer>>();

  constructor(registryUrl: string, clientId: string) {
    this.#registry = new SchemaRegistry({ host: registryUrl.replace(/\/+$/, ''), clientId });
  }

  /**
   * The schema id a topic's values are written with: `schema` is registered under
   * `<topic>-value` on first use (registering an already registered schema returns its id);
   * without one, the subject's latest version is used.
   */
  schemaIdFor(topic: string, schema?: AvroSchema): Promise<number> {
    const cached = this.#writerIds.get(topic);
    if (cached) return cached;
    const subject = valueSubject(topic);
    const lookup = (async () => {
      if (schema !== undefined) {
        const text = schemaText(schema, topic);
        try {
          const { id } = await this.#registry.register({ type: SchemaType.AVRO, schema: text }, { subject });
          return id;
        } catch (err) {
          throw fromRegistryError(err, `registering the schema of subject "${subject}"`);
        }
      }
      try {
        return await this.#registry.getLatestSchemaId(subject);
      } catch (err) {
        const mapped = fromRegistryError(err, `looking up the schema of subject "${subject}"`);
        if (mapped.code === 'NOT_FOUND') {
          throw new OmenError(
            'FAILED_PRECONDITION',
            `no schema registered for subject "${subject}": pass one to the producer (schemas option) or register it first`,
            { cause: err },
          );
        }
        throw mapped;
      }
    })();
    // A failed lookup must not stick: the registry may be back on the next send.
    lookup.catch(() => this.#writerIds.delete(topic));
    this.#writerIds.set(topic, lookup);
    return lookup;
  }

  /**
   * A synchronous encoder for `topic`'s values (wire header + Avro body), its schema resolved
   * and compiled once: a producer encoding thousands of records a second pays no registry
   * lookup and no await per record. A value that does not match throws the same
   * INVALID_ARGUMENT (with the invalid paths) as encode().
   */
  encoder(topic: string, schema?: AvroSchema): Promise<(value: unknown) => Buffer> {
    const cached = this.#encoders.get(topic);
    if (cached) return cached;
    const made = (async () => {
      const id = await this.schemaIdFor(topic, schema);
      let type: { toBuffer(v: unknown): Buffer; isValid(v: unknown, o: { errorHook(path: string[]): void }): boolean };
      try {
        type = await this.#registry.getSchema(id);
      } catch (err) {
        throw fromRegistryError(err, `fetching schema id ${id} to encode values for topic "${topic}"`);
      }
      const header = Buffer.alloc(WIRE_HEADER_BYTES);
      header.writeInt32BE(id, 1);
      return (value: unknown): Buffer => {
        let body: Buffer;
        try {
          body = type.toBuffer(value);
        } catch (err) {
          const paths: string[][] = [];
          type.isValid(value, { errorHook: (path) => paths.push(path) });
          const invalid = Object.assign(new Error(err instanceof Error ? err.message : String(err)), {
            name: 'ConfluentSchemaRegistryValidationError',
            paths,
          });
          throw fromRegistryError(invalid, `encoding a value for topic "${topic}" with schema id ${id}`);
        }
        const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + body.length);
        header.copy(out, 0);
        body.copy(out, WIRE_HEADER_BYTES);
        return out;
      };
    })();
    // A failed lookup must not stick: the registry may be back on the next send.
    made.catch(() => this.#encoders.delete(topic));
    this.#encoders.set(topic, made);
    return made;
  }

  async encode(topic: string, value: unknown, schema?: AvroSchema): Promise<Buffer> {
    const id = await this.schemaIdFor(topic, schema);
    try {
      return await this.#registry.encode(id, value);
    } catch (err) {
      throw fromRegistryError(err, `encoding a value for topic "${topic}" with schema id ${id}`);
    }
  }

  /**
   * Decodes a wire-format value. Bytes that are not ours (no value, wrong magic byte, short
   * frame), an id the registry does not know, and an Avro body that does not parse are
   * INVALID_ARGUMENT / NOT_FOUND (poison); an unreachable registry is UNAVAILABLE (retryable).
   */
  async decode(bytes: Buffer | null): Promise<DecodedValue> {
    const frame = readWireFrame(bytes);
    if (!frame.ok) throw new OmenError('INVALID_ARGUMENT', `undecodable record: ${frame.reason}`);
    try {
      // Fetched first so that registry failures are told apart from Avro decoding failures.
      await this.#registry.getSchema(frame.schemaId);
    } catch (err) {
      const mapped = fromRegistryError(err, `fetching schema id ${frame.schemaId}`);
      if (mapped.code === 'NOT_FOUND') {
        throw new OmenError('NOT_FOUND', `undecodable record: unknown schema id ${frame.schemaId}`, { cause: err });
      }
      throw mapped;
    }
    try {
      return { value: await this.#registry.decode(bytes as Buffer), schemaId: frame.schemaId };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new OmenError(
        'INVALID_ARGUMENT',
        `undecodable record: Avro body does not match schema id ${frame.schemaId}: ${message}`,
        {
          cause: err,
        },
      );
    }
  }
}
