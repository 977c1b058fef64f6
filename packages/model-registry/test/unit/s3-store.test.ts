// The S3 store against a local HTTP endpoint that answers like S3 (200/404, stores PUT bodies)
// and records each request's signature headers. No real S3 is reachable here; this checks what
// the store sends and how it treats the answers, including a tampered GET.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ArtifactStore, sha256Hex } from '../../src/index.ts';

interface Seen {
  method: string;
  url: string;
  authorization: string;
  contentSha256: string;
  date: string;
}

let server: Server;
let endpoint: string;
const objects = new Map<string, Buffer>();
const seen: Seen[] = [];
let tamper = false;
let unavailable = 0;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: String(req.headers.authorization ?? ''),
        contentSha256: String(req.headers['x-amz-content-sha256'] ?? ''),
        date: String(req.headers['x-amz-date'] ?? ''),
      });
      const key = req.url ?? '';
      const data = await body(req);
      if (unavailable > 0) {
        unavailable--;
        res
          .writeHead(503)
          .end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
        return;
      }
      if (req.method === 'PUT') {
        // What S3 does with x-amz-content-sha256: refuse a body that does not hash to it.
        if (sha256Hex(data) !== req.headers['x-amz-content-sha256']) {
          res.writeHead(400).end('<Error><Code>XAmzContentSHA256Mismatch</Code></Error>');
          return;
        }
        objects.set(key, data);
        res.writeHead(200).end();
        return;
      }
      const obj = objects.get(key);
      if (!obj) {
        res.writeHead(404).end();
        return;
      }
      if (req.method === 'HEAD') res.writeHead(200, { 'content-length': obj.length }).end();
      else res.writeHead(200).end(tamper ? Buffer.from('tampered') : obj);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  objects.clear();
  seen.length = 0;
  tamper = false;
  unavailable = 0;
});

const store = () =>
  new S3ArtifactStore({
    endpoint,
    bucket: 'omen-models',
    prefix: 'reg/',
    region: 'eu-west-1',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'secret',
    retries: 0,
  });

describe('S3ArtifactStore', () => {
  it('PUTs content-addressed keys with a SigV4 signature and the body hash, once', async () => {
    const bytes = new TextEncoder().encode('onnx bytes');
    const sha = sha256Hex(bytes);
    const s = store();
    expect(await s.put(bytes)).toEqual({
      sha256: sha,
      uri: `s3://omen-models/reg/blobs/sha256/${sha}`,
      size: bytes.length,
    });
    const put = seen.find((r) => r.method === 'PUT')!;
    expect(put.url).toBe(`/omen-models/reg/blobs/sha256/${sha}`);
    expect(put.contentSha256).toBe(sha);
    expect(put.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=[^,]*x-amz-content-sha256[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(put.date).toMatch(/^\d{8}T\d{6}Z$/);
    seen.length = 0;
    // A second put reads the stored object back and re-hashes it (see the repair test): one
    // GET, and no upload when it is intact.
    await s.put(bytes);
    expect(seen.map((r) => r.method)).toEqual(['GET']);
    expect(new TextDecoder().decode(await s.get(sha))).toBe('onnx bytes');
    expect(await s.has(sha)).toBe(true);
  });

  it('refuses bytes that do not hash to their key, and reports a missing object as NOT_FOUND', async () => {
    const bytes = new TextEncoder().encode('the real model');
    const s = store();
    const { sha256 } = await s.put(bytes);
    tamper = true;
    await expect(s.get(sha256)).rejects.toMatchObject({ code: 'DATA_LOSS' });
    await expect(s.get('0'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(s.get('not-a-hash')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a put over a damaged object uploads the good bytes again, whether the damage changed the length or not', async () => {
    const s = store();
    for (const damage of [
      (b: Buffer) => b.subarray(0, b.length - 1),
      (b: Buffer) => Buffer.from(b.map((x, i) => (i === 3 ? x ^ 0xff : x))),
    ]) {
      const bytes = new TextEncoder().encode(`a model ${Math.random()}`);
      const { sha256 } = await s.put(bytes);
      const key = `/omen-models/reg/blobs/sha256/${sha256}`;
      objects.set(key, damage(objects.get(key)!));
      await expect(s.get(sha256)).rejects.toMatchObject({ code: 'DATA_LOSS' });
      seen.length = 0;
      await s.put(bytes);
      expect(seen.map((r) => r.method)).toEqual(['GET', 'PUT']);
      expect(new TextDecoder().decode(await s.get(sha256))).toBe(new TextDecoder().decode(bytes));
    }
  });

  it('retries a 5xx (re-signed each time) up to `retries` times, then reports what S3 said as UNAVAILABLE', async () => {
    const bytes = new TextEncoder().encode('retried model');
    const sha = sha256Hex(bytes);
    unavailable = 2;
    const s = new S3ArtifactStore({
      endpoint,
      bucket: 'omen-models',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      retries: 2,
    });
    expect((await s.put(bytes)).sha256).toBe(sha);
    expect(seen.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'PUT']);
    unavailable = 3;
    await expect(s.get(sha)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/^S3 GET \S+ answered 503 SlowDown: Please reduce your request rate\.$/),
    });
    expect(unavailable).toBe(0);
  });

  it('virtual-hosted style puts the bucket in the host name', () => {
    const s = new S3ArtifactStore({
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      bucket: 'omen-models',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      pathStyle: false,
    });
    expect(s.uri('a'.repeat(64))).toBe(`s3://omen-models/blobs/sha256/${'a'.repeat(64)}`);
    expect(
      () => new S3ArtifactStore({ endpoint: 'ftp://x', bucket: 'omen-models', accessKeyId: 'a', secretAccessKey: 'b' }),
    ).toThrow(/http/);
    expect(
      () => new S3ArtifactStore({ endpoint: 'http://x', bucket: 'Bad_Bucket', accessKeyId: 'a', secretAccessKey: 'b' }),
    ).toThrow(/bucket/);
  });
});
