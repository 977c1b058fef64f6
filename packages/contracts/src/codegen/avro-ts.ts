import avro from 'avsc';

// Our own Avro → TypeScript generator, over avsc's parsed types. We looked at the maintained
// generators on npm first: @ovotech/avro-ts pins TypeScript 4 and calls compiler factory APIs
// deprecated since 4.0 (warnings on every run, breakage on the next TypeScript), and emits
// value-bearing namespaces that embed each schema again as a string constant — a second copy
// of the contract; avro-typescript and @chasdevs/avro-to-typescript do not follow avsc's union
// representation. Reading avsc's own parsed types guarantees the interfaces describe exactly
// what avsc (and so @kafkajs/confluent-schema-registry) encodes and decodes.

/** One .avsc file to generate from. */
export interface AvroSource {
  /** File name without extension, e.g. "commit"; the generated module is `<name>.ts`. */
  readonly name: string;
  /** Path shown in generated headers, e.g. "schemas/commit.avsc". */
  readonly path: string;
  /** The parsed JSON schema. */
  readonly schema: unknown;
}

interface NamedDefinition {
  readonly fullName: string;
  readonly tsName: string;
  readonly module: string;
  readonly signature: string;
}

const LOGICAL_TYPE_NAMES = [
  'timestamp-millis',
  'timestamp-micros',
  'local-timestamp-millis',
  'local-timestamp-micros',
  'date',
  'time-millis',
  'time-micros',
  'decimal',
  'uuid',
  'duration',
] as const;

const LOGICAL_TYPE_NOTES: Record<string, string> = {
  'timestamp-millis': 'Avro timestamp-millis: epoch milliseconds, UTC.',
  'timestamp-micros': 'Avro timestamp-micros: epoch microseconds, UTC.',
  'local-timestamp-millis': 'Avro local-timestamp-millis: milliseconds, local time.',
  'local-timestamp-micros': 'Avro local-timestamp-micros: microseconds, local time.',
  date: 'Avro date: days since the Unix epoch.',
  'time-millis': 'Avro time-millis: milliseconds after midnight.',
  'time-micros': 'Avro time-micros: microseconds after midnight.',
  decimal: "Avro decimal: two's-complement unscaled value.",
  uuid: 'Avro uuid.',
  duration: 'Avro duration: months, days, milliseconds (little-endian).',
};

// The runtime (contracts' avroType, the Kafka serdes) registers no logical types, so avsc
// decodes them as their underlying type. Here they are parsed as pass-through logical types
// only so that the generator can tell a timestamp from a plain long and say so in the docs.
class PassThroughLogicalType extends avro.types.LogicalType {
  // avsc's own protected hooks, which it calls by name: they stay TypeScript members, not #.
  protected override _fromValue(value: unknown): unknown {
    return value;
  }
  protected override _toValue(value: unknown): unknown {
    return value;
  }
}
const generatorLogicalTypes = Object.fromEntries(LOGICAL_TYPE_NAMES.map((name) => [name, PassThroughLogicalType]));

interface FieldLike {
  readonly name: string;
  readonly type: avro.Type;
  readonly doc?: string | undefined;
  defaultValue(): unknown;
}

function fieldsOf(type: avro.Type): readonly FieldLike[] {
  // FieldLike adds Field#doc, which avsc's parser sets but its typings omit.
  return (type as avro.types.RecordType).fields;
}

function simpleName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}

function docComment(lines: readonly string[], indent: string): string {
  const body = lines.flatMap((l) => l.split('\n')).map((l) => l.replace(/\*\//g, '*\\/'));
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${body.map((l) => (l === '' ? `${indent} *` : `${indent} * ${l}`)).join('\n')}\n${indent} */\n`;
}

function jsonDefault(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
}

/**
 * Generates one TypeScript module per schema plus `index.ts` (the name → record type map).
 * Named types (records, enums, fixed) are emitted once, in the first module that defines them
 * (in `sources` order); later modules import them. A name defined twice with different
 * definitions, or two full names with the same simple name, is an error: the TypeScript names
 * are the simple Avro names.
 */
export function generateAvroTypeScript(sources: readonly AvroSource[]): Map<string, string> {
  const named = new Map<string, NamedDefinition>();
  const byTsName = new Map<string, string>();
  const out = new Map<string, string>();
  const roots: { source: AvroSource; tsName: string; fullName: string }[] = [];

  for (const source of sources) {
    let root: avro.Type;
    try {
      root = avro.Type.forSchema(source.schema as avro.Schema, { logicalTypes: generatorLogicalTypes });
    } catch (err) {
      throw new Error(`${source.path}: not a valid Avro schema: ${(err as Error).message}`, { cause: err });
    }
    if (!(root instanceof avro.types.RecordType) || root.name === undefined) {
      throw new Error(`${source.path}: the top-level type must be a named record (a Kafka event)`);
    }
    const imports = new Map<string, Set<string>>();
    const decls: string[] = [];

    const tsTypeOf = (type: avro.Type, where: string): string => {
      if (type instanceof avro.types.LogicalType) return tsTypeOf(type.underlyingType, where);
      if (type.name !== undefined) return useNamed(type, where);
      if (type instanceof avro.types.ArrayType) {
        const items = tsTypeOf(type.itemsType, `${where}[]`);
        return /[|&]/.test(items) ? `Array<${items}>` : `${items}[]`;
      }
      if (type instanceof avro.types.MapType)
        return `Record<string, ${tsTypeOf(type.valuesType as avro.Type, `${where}{}`)}>`;
      if (type instanceof avro.types.WrappedUnionType) {
        throw new Error(
          `${source.path}: union at ${where} has branches avsc cannot tell apart, so it would ` +
            'decode them wrapped ({"<branch>": value}); keep unions to null plus one type of each kind',
        );
      }
      if (type instanceof avro.types.UnwrappedUnionType) {
        return type.types.map((t, i) => tsTypeOf(t, `${where}|${i}`)).join(' | ');
      }
      switch (type.typeName) {
        case 'null':
          return 'null';
        case 'boolean':
          return 'boolean';
        case 'int':
        case 'long':
        case 'float':
        case 'double':
          return 'number';
        case 'string':
          return 'string';
        case 'bytes':
          return 'Buffer';
        default:
          throw new Error(`${source.path}: unsupported Avro type ${type.typeName} at ${where}`);
      }
    };

    const useNamed = (type: avro.Type, where: string): string => {
      const fullName = type.name as string;
      const existing = named.get(fullName);
      const signature = JSON.stringify(type.schema({ exportAttrs: true }));
      if (existing) {
        if (existing.signature !== signature) {
          throw new Error(
            `${source.path}: ${fullName} (at ${where}) differs from its definition in ` +
              `${existing.module}.ts; one name must mean one type`,
          );
        }
        if (existing.module !== source.name) {
          const set = imports.get(existing.module) ?? new Set<string>();
          set.add(existing.tsName);
          imports.set(existing.module, set);
        }
        return existing.tsName;
      }
      const tsName = simpleName(fullName);
      const clash = byTsName.get(tsName);
      if (clash !== undefined && clash !== fullName) {
        throw new Error(`${source.path}: ${fullName} and ${clash} would both be TypeScript type ${tsName}; rename one`);
      }
      byTsName.set(tsName, fullName);
      named.set(fullName, { fullName, tsName, module: source.name, signature });
      decls.push(declare(type, tsName, fullName));
      return tsName;
    };

    const declare = (type: avro.Type, tsName: string, fullName: string): string => {
      const doc = type.doc === undefined ? [] : [type.doc, ''];
      if (type instanceof avro.types.EnumType) {
        const text = docComment([...doc, `Avro enum ${fullName}.`], '');
        return `${text}export type ${tsName} = ${type.symbols.map((s) => `'${s}'`).join(' | ')};\n`;
      }
      if (type instanceof avro.types.FixedType) {
        const text = docComment([...doc, `Avro fixed ${fullName} (${type.size} bytes).`], '');
        return `${text}export type ${tsName} = Buffer;\n`;
      }
      // Field types first: nested named types are declared before the record that uses them.
      const members = fieldsOf(type).map((field) => {
        const where = `${tsName}.${field.name}`;
        const ts = tsTypeOf(field.type, where);
        const lines: string[] = [];
        if (field.doc !== undefined) lines.push(field.doc);
        const logical = logicalNote(field.type);
        if (logical !== undefined) lines.push(...(lines.length ? [''] : []), logical);
        const dflt = field.defaultValue();
        if (dflt !== undefined) lines.push(...(lines.length ? [''] : []), `@default ${jsonDefault(dflt)}`);
        return `${lines.length ? docComment(lines, '  ') : ''}  ${field.name}: ${ts};\n`;
      });
      const text = docComment([...doc, `Avro record ${fullName}.`], '');
      return `${text}export interface ${tsName} {\n${members.join('')}}\n`;
    };

    const rootTsName = useNamed(root, root.name);
    roots.push({ source, tsName: rootTsName, fullName: root.name });

    const header = `// Generated by \`./scripts/omen contracts generate\` from ${source.path}. Do not edit.\n`;
    const importLines = [...imports.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([mod, names]) => `import type { ${[...names].sort().join(', ')} } from './${mod}.ts';\n`)
      .join('');
    out.set(`${source.name}.ts`, `${header}${importLines ? `\n${importLines}` : ''}\n${decls.join('\n')}`);
  }

  // Types only: the runtime lists schemas from the directory, so that regenerating never
  // depends on the generated code it replaces.
  const index = [
    '// Generated by `./scripts/omen contracts generate` from schemas/*.avsc. Do not edit.\n',
    '',
    ...roots.map((r) => `import type { ${r.tsName} } from './${r.source.name}.ts';\n`),
    '',
    '/** Schema names: the file names under schemas/ without `.avsc`. */\n',
    `export type SchemaName =\n${roots.map((r) => `  | '${r.source.name}'`).join('\n')};\n`,
    '',
    '/** What a record of each schema decodes to with avsc (and so with the Kafka serdes). */\n',
    'export interface AvroRecords {\n',
    ...roots.map((r) => `  /** ${r.fullName} */\n  ${r.source.name}: ${r.tsName};\n`),
    '}\n',
  ].map((l) => (l === '' ? '\n' : l));
  out.set('index.ts', index.join(''));
  return out;
}

function logicalNote(type: avro.Type): string | undefined {
  const branches = type instanceof avro.types.UnwrappedUnionType ? type.types : [type];
  for (const branch of branches) {
    if (branch instanceof avro.types.LogicalType) {
      const name = branch.typeName.replace(/^logical:/, '');
      return LOGICAL_TYPE_NOTES[name] ?? `Avro logical type ${name}.`;
    }
  }
  return undefined;
}
