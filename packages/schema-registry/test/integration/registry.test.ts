import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { COMPATIBILITY, SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryServer, type RegistryServer } from '../../src/index.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

const v1 = {
  type: 'record',
  name: 'Ping',
  namespace: 'omen.test.v1',
  fields: [
    { name: 'event_id', type: 'string' },
    { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};
const v2 = { ...v1, fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }] };
const incompatible = { ...v1, fields: [...v1.fields, { name: 'required_note', type: 'string' }] };

const avro = (schema: object) => ({ type: 'AVRO' as never, schema: JSON.stringify(schema) });

async function call(base: string, method: string, url: string, body?: unknown) {
  const res = await fetch(new URL(url, base), {
    method,
    headers: { 'content-type': CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe('schema registry with the real @kafkajs/confluent-schema-registry client', () => {
  let dataDir: string;
  let server: RegistryServer | undefined;
  const subject = `ping-${Math.random().toString(36).slice(2, 10)}-value`;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'omen-registry-it-'));
    server = await createRegistryServer({ dataDir, port: 0 });
  });
  afterEach(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registers, encodes, decodes and looks up; the same schema keeps its id', async () => {
    const client = new SchemaRegistry({ host: server!.url });
    const { id } = await client.register(avro(v1), { subject, compatibility: COMPATIBILITY.BACKWARD });
    expect(id).toBeGreaterThan(0);
    // The client set the subject's level after the first registration (GET /config/{subject} → 404).
    expect((await call(server!.url, 'GET', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await client.register(avro(v1), { subject })).id).toBe(id);

    const event = { event_id: 'r:1', event_time: 1_700_000_000_000 };
    const encoded = await client.encode(id, event);
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    // A fresh client has nothing cached: decoding goes through GET /schemas/ids/{id}.
    expect(await new SchemaRegistry({ host: server!.url }).decode(encoded)).toEqual(event);

    expect(await client.getRegistryIdBySchema(subject, avro(v1))).toBe(id);
    expect(await client.getLatestSchemaId(subject)).toBe(id);
    const { id: id2 } = await client.register(avro(v2), { subject });
    expect(id2).not.toBe(id);
    expect(await client.getLatestSchemaId(subject)).toBe(id2);
    expect(await client.getRegistryId(subject, 1)).toBe(id);

    // Old data read with the new schema (BACKWARD in action).
    const decodedAsV2 = await client.decode(encoded, { AVRO: { readerSchema: JSON.stringify(v2) } } as never);
    expect(decodedAsV2).toEqual({ ...event, note: null });
  });

  it('keeps ids across a restart with the same data directory', async () => {
    const client = new SchemaRegistry({ host: server!.url });
    const { id } = await client.register(avro(v1), { subject });
    const encoded = await client.encode(id, { event_id: 'r:2', event_time: 1 });
    await server!.close();
    server = await createRegistryServer({ dataDir, port: 0 });

    const after = new SchemaRegistry({ host: server.url });
    expect(await after.decode(encoded)).toEqual({ event_id: 'r:2', event_time: 1 });
    expect((await after.register(avro(v1), { subject })).id).toBe(id);
    const other = await after.register(avro(v2), { subject });
    expect(other.id).toBeGreaterThan(id);
    expect((await call(server.url, 'GET', `/subjects/${subject}/versions`)).body).toEqual([1, 2]);
  });

  it('refuses an incompatible schema with 409 and a Confluent error body', async () => {
    const client = new SchemaRegistry({ host: server!.url });
    await client.register(avro(v1), { subject });
    await expect(client.register(avro(incompatible), { subject })).rejects.toMatchObject({ status: 409 });

    const raw = await call(server!.url, 'POST', `/subjects/${subject}/versions`, {
      schema: JSON.stringify(incompatible),
    });
    expect(raw.status).toBe(409);
    expect(raw.contentType).toBe(CONTENT_TYPE);
    expect(raw.body['error_code']).toBe(409);
    expect(String(raw.body['message'])).toMatch(/incompatible.*required_note/);
  });

  it('answers the compatibility endpoint, lookups and errors like Confluent', async () => {
    const client = new SchemaRegistry({ host: server!.url });
    await client.register(avro(v1), { subject });
    const url = server!.url;
    expect(
      (await call(url, 'POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: JSON.stringify(v2) }))
        .body,
    ).toEqual({ is_compatible: true });
    const refused = await call(url, 'POST', `/compatibility/subjects/${subject}/versions/1?verbose=true`, {
      schema: JSON.stringify(incompatible),
    });
    expect(refused.body['is_compatible']).toBe(false);
    expect(String((refused.body['messages'] as string[])[0])).toMatch(/required_note/);

    expect((await call(url, 'GET', '/subjects')).body).toEqual([subject]);
    expect((await call(url, 'GET', `/subjects/${subject}/versions/latest`)).body).toMatchObject({
      subject,
      version: 1,
      schema: JSON.stringify(v1),
    });
    expect((await call(url, 'GET', '/subjects/missing-value/versions')).body).toMatchObject({ error_code: 40401 });
    expect((await call(url, 'GET', `/subjects/${subject}/versions/7`)).body).toMatchObject({ error_code: 40402 });
    expect((await call(url, 'GET', '/schemas/ids/9999')).body).toMatchObject({ error_code: 40403 });
    expect((await call(url, 'POST', `/subjects/${subject}`, { schema: JSON.stringify(v2) })).body).toMatchObject({
      error_code: 40403,
    });

    const proto = await call(url, 'POST', `/subjects/${subject}/versions`, {
      schema: 'syntax = "proto3";',
      schemaType: 'PROTOBUF',
    });
    expect(proto.status).toBe(422);
    expect(proto.body).toMatchObject({ error_code: 42201 });
    expect(String(proto.body['message'])).toMatch(/PROTOBUF.*AVRO schemas only/);
    const broken = await call(url, 'POST', `/subjects/${subject}/versions`, { schema: '{"type":"recrod"}' });
    expect(broken.body).toMatchObject({ error_code: 42201 });

    expect((await call(url, 'PUT', '/config', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
    expect((await call(url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });
    expect((await call(url, 'PUT', '/config', { compatibility: 'SOMETIMES' })).body).toMatchObject({
      error_code: 42203,
    });

    // Bodyless DELETEs carry the content type too; the subject goes, its ids stay resolvable.
    const id = await client.getLatestSchemaId(subject);
    expect(await call(url, 'DELETE', `/subjects/${subject}`)).toMatchObject({ status: 200, body: [1] });
    expect(await call(url, 'DELETE', `/subjects/${subject}?permanent=true`)).toMatchObject({ status: 200, body: [1] });
    expect((await call(url, 'GET', '/subjects?deleted=true')).body).toEqual([]);
    expect((await call(url, 'GET', `/schemas/ids/${id}`)).body).toEqual({ schema: JSON.stringify(v1) });
    const garbage = await fetch(new URL(`/subjects/${subject}/versions`, url), {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPE },
      body: '{oops',
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error_code: 400, message: expect.stringMatching(/not JSON/) });
  });
});
