// The S3 store against a real S3-protocol server: s3rver 3.7.1 (an npm devDependency, so this
// always runs; no Docker or MinIO needed). s3rver stores objects on disk under
// `<dir>/<bucket>/<key>._S3rver_object`, which lets a test see and damage what the store wrote.
//
// What s3rver 3.7.1 checks and what it does not (read from its lib/middleware/authentication.js
// and confirmed by the tests below):
// - it refuses an unknown access key id (403 InvalidAccessKeyId), a malformed SigV4
//   Authorization header, a missing x-amz-content-sha256 and a skewed x-amz-date;
// - it does NOT verify SigV4 signatures ("Signature version 4 calculation is unimplemented"):
//   a request signed with the wrong secret key is accepted;
// - it does NOT check x-amz-content-sha256 against the body ("skip payload verification").
// The two gaps are pinned by tests named after them, so an s3rver that starts checking fails
// them and they can become real checks. Against AWS or MinIO both are refused server-side.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PermissionDeniedError, isRetryable } from '@omen/errors';
import {
  ArtifactIntegrityError,
  LocalModelRegistry,
  S3ArtifactStore,
  sha256Hex,
  type S3StoreOptions,
} from '../../src/index.ts';

// s3rver's one built-in account (lib/models/account.js).
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';
const BUCKET = 'omen-models';

let dir: string;
let server: S3rver;
let endpoint: string;
let prefix: string;
const methods: string[] = [];

// Every request the store sends, by method: how a test sees that a second put does not upload.
const countingFetch: typeof fetch = (input, init) => {
  methods.push(input instanceof Request ? input.method : (init?.method ?? 'GET'));
  return fetch(input, init);
};

const store = (options: Partial<S3StoreOptions> = {}) =>
  new S3ArtifactStore({
    endpoint,
    bucket: BUCKET,
    prefix,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    retries: 0,
    fetch: countingFetch,
    ...options,
  });

/** A client outside the store: what another writer (or an attacker with credentials) would send. */
const raw = () =>
  new AwsClient({
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    service: 's3',
    region: 'us-east-1',
    retries: 0,
  });

const objectFile = (key: string) => path.join(dir, BUCKET, `${key}._S3rver_object`);

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, e: string) =>
    e.startsWith('#x') || e.startsWith('#X')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (XML_ENTITIES[e] ?? whole),
  );

async function listKeys(): Promise<string[]> {
  const res = await raw().fetch(`${endpoint}/${BUCKET}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
  expect(res.status).toBe(200);
  return [...(await res.text()).matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]!));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'omen-s3rver-'));
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  prefix = `reg-${randomBytes(4).toString('hex')}/`;
  methods.length = 0;
});

describe('S3ArtifactStore against s3rver 3.7.1', () => {
  it('round-trips a 1 MiB artifact under <prefix>blobs/sha256/<hex>, and a second put reads it back but uploads nothing', async () => {
    const bytes = new Uint8Array(randomBytes(1024 * 1024));
    const sha = sha256Hex(bytes);
    const key = `${prefix}blobs/sha256/${sha}`;
    const s = store();

    expect(await s.has(sha)).toBe(false);
    expect(await s.put(bytes)).toEqual({ sha256: sha, uri: `s3://${BUCKET}/${key}`, size: bytes.length });
    // has() is a HEAD; put() reads the key first (404: absent), then uploads.
    expect(methods).toEqual(['HEAD', 'GET', 'PUT']);
    expect(await listKeys()).toEqual([key]);
    expect(sha256Hex(await readFile(objectFile(key)))).toBe(sha);

    expect(await s.has(sha)).toBe(true);
    expect(Buffer.from(await s.get(sha)).equals(Buffer.from(bytes))).toBe(true);

    const written = (await stat(objectFile(key))).mtimeMs;
    methods.length = 0;
    expect(await s.put(bytes)).toEqual({ sha256: sha, uri: `s3://${BUCKET}/${key}`, size: bytes.length });
    // The stored object is downloaded and re-hashed (that is how a damaged one gets repaired),
    // and, being intact, not written again.
    expect(methods).toEqual(['GET']);
    expect((await stat(objectFile(key))).mtimeMs).toBe(written);
    expect(await listKeys()).toEqual([key]);
  });

  it('an unknown sha256 is NOT_FOUND on get and false on has', async () => {
    const s = store();
    const unknown = sha256Hex(randomBytes(16));
    expect(await s.has(unknown)).toBe(false);
    const err = await s.get(unknown).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', resource: `blob/${unknown}` });
  });

  it('an unknown access key id is refused by the server (403 InvalidAccessKeyId) and the store throws PERMISSION_DENIED, never a silent false', async () => {
    const good = await store().put(new Uint8Array(randomBytes(1000)));
    const s = store({ accessKeyId: 'NOT-A-KEY' });
    const headErr = await s.has(good.sha256).catch((e: unknown) => e);
    expect(headErr).toBeInstanceOf(PermissionDeniedError);
    expect(isRetryable(headErr)).toBe(false);
    expect((headErr as Error).message).toMatch(
      /^S3 HEAD s3:\/\/omen-models\/\S+ answered 403 \(wrong access key or secret/,
    );
    await expect(s.get(good.sha256)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringMatching(
        /^S3 GET \S+ answered 403 InvalidAccessKeyId: The AWS Access Key Id you provided does not exist/,
      ),
    });
    // put reads the key first, so it is refused before any upload.
    await expect(s.put(new Uint8Array(randomBytes(1000)))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await listKeys()).toEqual([`${prefix}blobs/sha256/${good.sha256}`]);
  });

  it('GAP: s3rver 3.7.1 does not verify SigV4 signatures, so a wrong secret key is accepted (AWS/MinIO answer 403 SignatureDoesNotMatch)', async () => {
    const bytes = new Uint8Array(randomBytes(1000));
    const s = store({ secretAccessKey: 'not-the-secret' });
    // If this starts failing, s3rver verifies signatures now: assert the refusal here instead.
    const { sha256 } = await s.put(bytes);
    expect(await s.has(sha256)).toBe(true);
    expect(Buffer.from(await s.get(sha256)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('GAP: s3rver 3.7.1 does not check x-amz-content-sha256 against the body (AWS answers 400 XAmzContentSHA256Mismatch)', async () => {
    const claimed = sha256Hex(new TextEncoder().encode('what the header claims'));
    const res = await raw().fetch(`${endpoint}/${BUCKET}/${prefix}blobs/sha256/${claimed}`, {
      method: 'PUT',
      headers: { 'x-amz-content-sha256': claimed },
      body: new TextEncoder().encode('other bytes'),
    });
    expect(res.status).toBe(200);
    // The store's own check still holds: what comes back does not hash to its name.
    await expect(store().get(claimed)).rejects.toBeInstanceOf(ArtifactIntegrityError);
  });

  it('an object overwritten on the server with other bytes is refused on get (DATA_LOSS), via S3 or on disk', async () => {
    const s = store();
    const bytes = new Uint8Array(randomBytes(64 * 1024));
    const { sha256 } = await s.put(bytes);
    const key = `${prefix}blobs/sha256/${sha256}`;

    // A correctly signed PUT of other bytes to the same key: S3 itself has no reason to refuse it.
    const other = new Uint8Array(randomBytes(64 * 1024));
    const res = await raw().fetch(`${endpoint}/${BUCKET}/${key}`, {
      method: 'PUT',
      headers: { 'x-amz-content-sha256': sha256Hex(other) },
      body: other,
    });
    expect(res.status).toBe(200);
    expect(await s.has(sha256)).toBe(true);
    const err = await s.get(sha256).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactIntegrityError);
    expect(err).toMatchObject({ code: 'DATA_LOSS', expected: sha256, actual: sha256Hex(other) });

    // And one flipped byte behind the server's back (bit rot on the storage node).
    const { sha256: sha2 } = await s.put(new Uint8Array(randomBytes(4096)));
    const file = objectFile(`${prefix}blobs/sha256/${sha2}`);
    const stored = await readFile(file);
    stored[100] = stored[100]! ^ 0xff;
    await writeFile(file, stored);
    await expect(s.get(sha2)).rejects.toMatchObject({ code: 'DATA_LOSS', expected: sha2, actual: sha256Hex(stored) });
  });

  it('a second put of the good bytes repairs an object damaged on disk or overwritten through S3, and get succeeds again', async () => {
    const s = store();
    const damages: [string, (key: string, stored: Buffer) => Promise<void>][] = [
      [
        'one flipped byte (same length: downloaded and re-hashed)',
        async (key, stored) => {
          stored[100] = stored[100]! ^ 0xff;
          await writeFile(objectFile(key), stored);
        },
      ],
      [
        'truncated (Content-Length differs: settled without reading the body)',
        (key, stored) => writeFile(objectFile(key), stored.subarray(0, 1000)),
      ],
      [
        'other bytes PUT through S3 with a valid signature',
        async (key) => {
          const other = new Uint8Array(randomBytes(4096));
          const res = await raw().fetch(`${endpoint}/${BUCKET}/${key}`, {
            method: 'PUT',
            headers: { 'x-amz-content-sha256': sha256Hex(other) },
            body: other,
          });
          expect(res.status).toBe(200);
        },
      ],
    ];
    for (const [what, damage] of damages) {
      const bytes = new Uint8Array(randomBytes(4096));
      const { sha256 } = await s.put(bytes);
      const key = `${prefix}blobs/sha256/${sha256}`;
      await damage(key, await readFile(objectFile(key)));
      await expect(s.get(sha256), what).rejects.toMatchObject({ code: 'DATA_LOSS', expected: sha256 });

      methods.length = 0;
      expect(await s.put(bytes)).toEqual({ sha256, uri: `s3://${BUCKET}/${key}`, size: bytes.length });
      expect(methods, what).toEqual(['GET', 'PUT']);
      expect(sha256Hex(await readFile(objectFile(key))), what).toBe(sha256);
      expect(Buffer.from(await s.get(sha256)).equals(Buffer.from(bytes)), what).toBe(true);
    }
  });

  it('a prefix with characters that need URL encoding lands under exactly that key', async () => {
    prefix = `${prefix}team a+b/(v1)!*'~$&@=;:,/a%41b#c?d=e\\f/modèles €/`;
    const s = store();
    const bytes = new Uint8Array(randomBytes(2048));
    const { sha256, uri } = await s.put(bytes);
    const key = `${prefix}blobs/sha256/${sha256}`;
    expect(uri).toBe(`s3://${BUCKET}/${key}`);
    expect(await listKeys()).toEqual([key]);
    expect(await s.has(sha256)).toBe(true);
    expect(Buffer.from(await s.get(sha256)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('the model registry registers and resolves a version whose artifact lives in s3rver', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'omen-registry-s3-'));
    try {
      const s = store();
      const registry = new LocalModelRegistry(root, { artifacts: s });
      const bytes = new Uint8Array(randomBytes(256 * 1024));
      const sha = sha256Hex(bytes);
      const { record, created } = await registry.register({
        name: 'jit-defect',
        bytes,
        featureSet: { name: 'jit_change_metrics', version: 1 },
      });
      expect(created).toBe(true);
      expect(record).toMatchObject({
        version: 'v1',
        sha256: sha,
        size: bytes.length,
        artifactUri: `s3://${BUCKET}/${prefix}blobs/sha256/${sha}`,
      });
      await registry.setAlias('jit-defect', 'champion', 'v1', { action: 'promote' });

      const resolved = await registry.resolve('jit-defect', { alias: 'champion' });
      expect(resolved.version).toBe('v1');
      expect(Buffer.from(resolved.bytes).equals(Buffer.from(bytes))).toBe(true);
      expect(await listKeys()).toEqual([`${prefix}blobs/sha256/${sha}`]);
      // The artifact is in S3 only; the registry root holds metadata, not blobs.
      expect(await readdir(root)).toEqual(['models']);

      // Registering the same bytes again is a no-op: the artifact is read back and verified,
      // not uploaded again.
      methods.length = 0;
      expect(
        (
          await registry.register({
            name: 'jit-defect',
            version: 'v1',
            bytes,
            featureSet: { name: 'jit_change_metrics', version: 1 },
          })
        ).created,
      ).toBe(false);
      expect(methods).toEqual(['GET']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
