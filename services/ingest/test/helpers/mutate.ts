import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (list of keys/indexes) inside a JSON value, the root included. */
function paths(
  value: Json,
  prefix: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constant(-1),
  fc.constant(2 ** 53),
  fc.constant(1e308),
  fc.constant(-0),
  fc.constant(3.5),
  fc.constant('0'.repeat(40)),
  fc.constant('2019-13-45T99:99:99Z'),
  fc.constant('\u0000\ud800'),
  fc.constant('x'.repeat(100_000)),
  fc.constant([]),
  fc.constant({}),
  fc.constant({ __proto__: { polluted: true } }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}') as unknown),
  fc.anything({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
);

export interface Mutation {
  op: 'delete' | 'replace' | 'wrap';
  pick: number;
  value: unknown;
}

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({ op: fc.constantFrom('delete', 'replace', 'wrap'), pick: fc.nat(), value: nasty }),
  { minLength: 1, maxLength: 4 },
);

/** Applies mutations at paths chosen by `pick` (modulo the number of paths) to a deep copy. */
export function mutate(source: unknown, ops: readonly Mutation[]): unknown {
  let doc = structuredClone(source) as Json;
  for (const m of ops) {
    const all = paths(doc);
    const path = all[m.pick % all.length]!;
    if (path.length === 0) {
      doc = (m.op === 'wrap' ? [doc] : m.value) as Json;
      continue;
    }
    const parent = path
      .slice(0, -1)
      .reduce<Json>((node, k) => (node as Record<string | number, Json>)[k]!, doc) as Record<string | number, Json>;
    const key = path[path.length - 1]!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.op === 'wrap') parent[key] = [parent[key]!];
    else parent[key] = m.value as Json;
  }
  return doc;
}
