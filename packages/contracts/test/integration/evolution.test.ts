import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { COMPATIBILITY, SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createRegistryServer, type RegistryServer } from '@omen/schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  previousSchemaVersions,
  schemaForTopic,
  subjectForTopic,
  topicSchemas,
  type PreviousSchema,
} from '../../src/index.ts';

// The schema evolution guard: every schema registers under its topic's subject, and stays
// BACKWARD-compatible with its previous version (the last tag, or the commit before the last
// change; OMEN_SCHEMA_BASELINE=<git ref> picks another), as the registry's own compatibility
// endpoint judges it. Runs against SCHEMA_REGISTRY_URL when set, else a registry of its own.

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const run = Math.random().toString(36).slice(2, 10);

let registryUrl: string;
let own: { server: RegistryServer; dir: string } | undefined;
let previous: PreviousSchema[];

async function rest(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(url, registryUrl), {
    method,
    headers: body === undefined ? { accept: CONTENT_TYPE } : { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Asks the registry whether `current` can read data written with `prior`, via a scratch subject. */
async function backwardCompatible(
  label: string,
  prior: string,
  current: string,
): Promise<{ is_compatible: boolean; messages?: string[] }> {
  const scratch = `omen-evolution-${run}-${label}-value`;
  try {
    const put = await rest('PUT', `/config/${scratch}`, { compatibility: 'BACKWARD' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const reg = await rest('POST', `/subjects/${scratch}/versions`, { schema: prior });
    expect(reg.status, JSON.stringify(reg.body)).toBe(200);
    const check = await rest('POST', `/compatibility/subjects/${scratch}/versions/latest?verbose=true`, {
      schema: current,
    });
    expect(check.status, JSON.stringify(check.body)).toBe(200);
    return check.body as { is_compatible: boolean; messages?: string[] };
  } finally {
    // Confluent deletes permanently only after a soft delete; ours accepts either order.
    await rest('DELETE', `/subjects/${scratch}`).catch(() => undefined);
    await rest('DELETE', `/subjects/${scratch}?permanent=true`).catch(() => undefined);
  }
}

beforeAll(async () => {
  const fromEnv = process.env['SCHEMA_REGISTRY_URL'];
  if (fromEnv) {
    registryUrl = fromEnv;
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omen-evolution-registry-'));
    own = { server: await createRegistryServer({ dataDir: dir, port: 0 }), dir };
    registryUrl = own.server.url;
  }
  const ref = process.env['OMEN_SCHEMA_BASELINE'];
  previous = await previousSchemaVersions(ref ? { ref } : {});
});

afterAll(async () => {
  if (own) {
    await own.server.close();
    await rm(own.dir, { recursive: true, force: true });
  }
});

describe('schema evolution guard', () => {
  it.each(Object.entries(topicSchemas))('%s registers its schema (%s) under <topic>-value', async (topic, name) => {
    expect(schemaForTopic(topic)).toBe(name);
    const entry = previous.find((p) => p.name === name);
    expect(entry, `schemas/${name}.avsc`).toBeDefined();
    const client = new SchemaRegistry({ host: registryUrl });
    const subject = subjectForTopic(topic);
    const { id } = await client.register(
      { type: 'AVRO' as never, schema: entry!.current },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(await client.getRegistryIdBySchema(subject, { type: 'AVRO' as never, schema: entry!.current })).toBe(id);
  });

  it.each(Object.values(topicSchemas))(
    'schemas/%s.avsc is BACKWARD-compatible with its previous version',
    async (name) => {
      const entry = previous.find((p) => p.name === name)!;
      if (entry.previous === null) return; // New since the baseline: nothing to stay compatible with.
      const result = await backwardCompatible(name.replace(/_/g, '-'), entry.previous, entry.current);
      expect(result.is_compatible, `${entry.file} vs ${entry.baseline}: ${(result.messages ?? []).join('; ')}`).toBe(
        true,
      );
    },
  );

  it('detects an incompatible edit through the same endpoint (negative control)', async () => {
    const commit = previous.find((p) => p.name === 'commit')!;
    const schema = JSON.parse(commit.current) as { fields: object[] };
    const edited = JSON.stringify({
      ...schema,
      fields: [...schema.fields, { name: 'required_later', type: 'string', doc: 'x' }],
    });
    const result = await backwardCompatible('negative-control', commit.current, edited);
    expect(result.is_compatible).toBe(false);
  });
});
