import fc from 'fast-check';
import protobuf from 'protobufjs';

/** A 1 MiB string, made once: the size of id nobody should have to store or echo. */
const ONE_MIB = 'x'.repeat(1 << 20);

/** Strings that broke, or could break, something somewhere: encodings, parsers, paths, SQL, logs. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'run-é',
  'modèle',
  'x\ny',
  '\r\n\r\n',
  '\0',
  'a\0b',
  '\u202e',
  'evil\u202etxt.exe',
  '\u2066\u2069\u200b\ufeff',
  '\uffff',
  '\ufffe',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '🚀',
  '👩‍👩‍👧‍👦',
  '数据',
  '../../../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\system32',
  "' OR '1'='1",
  "'; DROP TABLE commit_features; --",
  '"\\',
  '\\x00\\u0000',
  '%s%s%n',
  '%00',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '*',
  '?',
  '[',
  'omen:features:*',
  '__proto__',
  'constructor',
  'github:',
  'github:acme/app',
  'gitlab:group/sub/project',
  'git:name',
  'jit-defect',
  'champion',
  'challenger',
  '@',
  'jit-defect@champion',
  'a'.repeat(40),
  '0'.repeat(40),
  'é'.repeat(300),
  'x'.repeat(4096),
  ONE_MIB,
];

/** A string from HOSTILE_STRINGS, any string fast-check makes (lone surrogates included), or a plausible one with a hostile tail. */
export function hostileString(): fc.Arbitrary<string> {
  const known = fc.constantFrom(...HOSTILE_STRINGS);
  return fc.oneof(
    { weight: 4, arbitrary: known },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 48 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('github:acme/app', 'jit-defect', 'run-', 'model/'), known)
        .map(([a, b]) => `${a}${b}`),
    },
  );
}

const DOUBLE_EDGES = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  -1,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  0.5,
  1,
  2,
];
const INT32_EDGES = [0, -1, 1, -2147483648, 2147483647, 1000000];
const UINT32_EDGES = [0, 1, 4294967295, 2147483648, 100000];
const INT64_EDGES = [
  '0',
  '-1',
  '1',
  '9223372036854775807',
  '-9223372036854775808',
  '9007199254740993',
  '-9007199254740993',
  '253402300800',
  '-62135596801',
];
const UINT64_EDGES = ['0', '1', '18446744073709551615', '9223372036854775808', '9007199254740993'];

function scalar(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return hostileString();
    case 'bytes':
      return fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.constant(new Uint8Array(1 << 20)),
        fc.constant(new TextEncoder().encode('not an onnx model')),
      );
    case 'bool':
      return fc.boolean();
    case 'double':
    case 'float':
      return fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...DOUBLE_EDGES) },
        { weight: 1, arbitrary: fc.double() },
      );
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return fc.oneof(fc.constantFrom(...INT32_EDGES), fc.integer());
    case 'uint32':
    case 'fixed32':
      return fc.oneof(fc.constantFrom(...UINT32_EDGES), fc.integer({ min: 0, max: 4294967295 }));
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return fc.oneof(
        fc.constantFrom(...INT64_EDGES),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
      );
    case 'uint64':
    case 'fixed64':
      return fc.oneof(fc.constantFrom(...UINT64_EDGES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String));
    default:
      throw new Error(`no generator for proto scalar type ${type}`);
  }
}

/** The zero value of a field's element: what 100,000 copies of are cheap to make. */
function smallElement(field: protobuf.Field): unknown {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return {};
  if (t instanceof protobuf.Enum) return 0;
  if (field.type === 'string') return 'a';
  if (field.type === 'bytes') return new Uint8Array(1);
  if (field.type === 'bool') return true;
  if (['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'].includes(field.type)) return '1';
  return 1;
}

/** How many entries the "huge repeated field" case carries. */
export const HUGE_REPEATED = 100_000;

export interface MessageArbitraryOptions {
  /** How deep nested messages go before they are left unset. @default 3 */
  maxDepth?: number;
  /**
   * Valid values by string field name (`repo_id`, `model_name`, …), mixed in with the hostile
   * ones so that cases get past the first check into the code behind it. @default {}
   */
  plausible?: Readonly<Record<string, readonly string[]>>;
  /**
   * Keys a map field is expected to have, by field name (`values`: the feature names): cases
   * then also carry every one of them, with generated values, to reach the checks on the
   * values themselves (NaN, ±Inf, out of range). @default {}
   */
  plausibleKeys?: Readonly<Record<string, readonly string[]>>;
}

/**
 * An arbitrary of plain objects for `type` (keys as in the .proto file), built from the
 * descriptor alone: hostile strings, edge and random numbers of each wire type, unknown enum
 * numbers, empty, small and 100,000-entry repeated fields and maps, fields left unset, and
 * several members of a oneof at once. Encode with `type.encode(type.fromObject(value))`.
 */
export function messageArbitrary(
  type: protobuf.Type,
  options: MessageArbitraryOptions = {},
): fc.Arbitrary<Record<string, unknown>> {
  const maxDepth = options.maxDepth ?? 3;
  const plausible = options.plausible ?? {};
  const plausibleKeys = options.plausibleKeys ?? {};
  const memo = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

  const ofType = (t: protobuf.Type, depth: number): fc.Arbitrary<Record<string, unknown>> => {
    const key = `${t.fullName}@${depth}`;
    const known = memo.get(key);
    if (known) return known;
    const fields: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of t.fieldsArray) {
      field.resolve();
      const element = elementOf(field, depth);
      if (!element) continue;
      if (field instanceof protobuf.MapField) {
        const keyType = field.keyType;
        const keys = keyType === 'string' ? hostileString() : scalar(keyType).map(String);
        const expected = plausibleKeys[field.name] ?? [];
        fields[field.name] = fc.oneof(
          { weight: 6, arbitrary: fc.dictionary(keys, element, { maxKeys: 4 }) },
          ...(expected.length > 0
            ? [{ weight: 6, arbitrary: fc.record(Object.fromEntries(expected.map((k) => [k, element]))) }]
            : []),
          {
            weight: 1,
            arbitrary: fc
              .constant(null)
              .map(() =>
                Object.fromEntries(
                  Array.from({ length: HUGE_REPEATED }, (_, i) => [
                    keyType === 'string' ? `k${i}` : String(i),
                    smallElement(field),
                  ]),
                ),
              ),
          },
        );
      } else if (field.repeated) {
        fields[field.name] = fc.oneof(
          { weight: 6, arbitrary: fc.array(element, { maxLength: 4 }) },
          {
            weight: 1,
            arbitrary: fc.constant(null).map(() => new Array<unknown>(HUGE_REPEATED).fill(smallElement(field))),
          },
        );
      } else {
        fields[field.name] = element;
      }
    }
    // Any subset of the fields: the empty message, one field, all of them (oneof members too).
    const arb = fc.record(fields, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
    memo.set(key, arb);
    return arb;
  };

  const elementOf = (field: protobuf.Field, depth: number): fc.Arbitrary<unknown> | undefined => {
    const t = field.resolvedType;
    if (t instanceof protobuf.Type) return depth >= maxDepth ? undefined : ofType(t, depth + 1);
    if (t instanceof protobuf.Enum)
      return fc.oneof(fc.constantFrom(...Object.values(t.values)), fc.integer({ min: -3, max: 1000 }));
    const valid = plausible[field.name];
    if (field.type === 'string' && valid && valid.length > 0)
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...valid) },
        { weight: 2, arbitrary: scalar(field.type) },
      );
    return scalar(field.type);
  };

  return ofType(type, 0);
}

/** One fuzz case for a method: a message to encode, or raw bytes that may not be a message at all. */
export type RequestCase = { kind: 'message'; value: Record<string, unknown> } | { kind: 'raw'; bytes: Uint8Array };

/**
 * Cases for a method's request type: mostly messages, some raw bytes (random, or a real
 * encoding cut short or with a byte flipped).
 */
export function requestCases(type: protobuf.Type, options: MessageArbitraryOptions = {}): fc.Arbitrary<RequestCase> {
  const message = messageArbitrary(type, options);
  const raw = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.tuple(message, fc.nat(), fc.nat()).map(([value, cut, flip]) => {
      const bytes = encodeRequest(type, value);
      if (bytes.length === 0) return Uint8Array.of(0xff);
      const out = bytes.slice(0, Math.max(1, cut % bytes.length));
      const at = flip % out.length;
      out[at] = (out[at] ?? 0) ^ 0xff;
      return out;
    }),
  );
  return fc.oneof(
    { weight: 5, arbitrary: message.map((value) => ({ kind: 'message' as const, value })) },
    { weight: 1, arbitrary: raw.map((bytes) => ({ kind: 'raw' as const, bytes })) },
  );
}

/** protobufjs's encoding of a plain object (the same the services' proto-loader decodes). */
export function encodeRequest(type: protobuf.Type, value: Record<string, unknown>): Uint8Array {
  return type.encode(type.fromObject(value)).finish();
}

/** The bytes a case puts on the wire. */
export function caseBytes(type: protobuf.Type, c: RequestCase): Buffer {
  const bytes = c.kind === 'raw' ? c.bytes : encodeRequest(type, c.value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A short description of a case for a failure report (long strings cut, so a 1 MiB id stays readable). */
export function describeCase(c: RequestCase): string {
  if (c.kind === 'raw') return `raw bytes ${Buffer.from(c.bytes).toString('hex').slice(0, 80)}`;
  return JSON.stringify(c.value, (_k, v: unknown) => {
    if (typeof v === 'string' && v.length > 60) return `${v.slice(0, 40)}…(${v.length} chars)`;
    if (Array.isArray(v) && v.length > 8) return `[${v.length} entries]`;
    if (v instanceof Uint8Array) return `<${v.length} bytes>`;
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 8)
      return `{${Object.keys(v).length} keys}`;
    return v;
  }).slice(0, 600);
}
