// The store's SigV4 signatures, recomputed by AWS's own signer. s3rver (the integration test)
// does not verify signatures, and no AWS endpoint is reachable here, so this is what stands
// between aws4fetch and a 403 SignatureDoesNotMatch from S3: every HEAD, GET and PUT the store
// sends is captured and signed again with @smithy/signature-v4, the signer inside the official
// AWS SDK v3, configured as its S3 client configures it (service `s3`, no second escaping of
// the path, payload hash in x-amz-content-sha256). Given the same method, URL, body and
// unsigned headers at the same instant, it must produce byte for byte the headers the store
// sent: Authorization, x-amz-date, x-amz-content-sha256 (hashed from the body by the SDK, not
// copied from the request) and x-amz-security-token.
//
// The path is checked separately against the SDK's own key serialisation (each `/`-separated
// segment through extendedEncodeURIComponent, what @aws-sdk/client-s3 does with `{Key+}`): S3
// URL-decodes the path to find the key and re-encodes it that way to build its canonical
// request, so a path that is not already in that form addresses another key or signs another
// string than S3 checks.
import { extendedEncodeURIComponent, HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsV4Signer } from 'aws4fetch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { S3ArtifactStore, sha256Hex, type S3StoreOptions } from '../../src/index.ts';

const NOW = new Date('2026-03-14T15:09:26.535Z');
const BUCKET = 'omen-models';
const ACCESS_KEY = 'AKIDEXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
// An STS token has `/`, `+` and `=` in it; what matters is that it is signed and sent verbatim.
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example+token/with/slashes==';
// The headers the signer generates; everything else the store sends is given to the SDK as is.
const GENERATED = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']);

interface Case {
  name: string;
  options: Pick<S3StoreOptions, 'endpoint' | 'region' | 'prefix' | 'sessionToken' | 'pathStyle'>;
}

const cases: Case[] = [
  {
    name: 'AWS endpoint, path style, no prefix',
    options: { endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1' },
  },
  {
    name: 'MinIO-like endpoint with a port (signed in Host), plain prefix',
    options: { endpoint: 'http://127.0.0.1:9000', prefix: 'omen/registry/' },
  },
  {
    name: 'session token (temporary credentials)',
    options: {
      endpoint: 'https://s3.us-east-1.amazonaws.com',
      region: 'us-east-1',
      prefix: 'reg/',
      sessionToken: SESSION_TOKEN,
    },
  },
  {
    name: 'virtual-hosted style',
    options: {
      endpoint: 'https://s3.eu-central-1.amazonaws.com',
      region: 'eu-central-1',
      prefix: 'reg/',
      pathStyle: false,
    },
  },
  {
    name: 'a prefix that needs URL encoding (space, +, reserved and non-ASCII characters)',
    options: {
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      prefix: "team a+b/(v1)!*'~$&@=;:,/modèles €/",
    },
  },
  {
    name: 'a prefix with the characters a URL gives a meaning to (%, #, ?) and a backslash',
    options: {
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      prefix: 'a%41b#c?d=e\\f/',
      sessionToken: SESSION_TOKEN,
    },
  },
];

/** The path @aws-sdk/client-s3 sends for `key`: `/{Bucket}/{Key+}` (path style) or `/{Key+}`. */
function sdkPath(c: Case, key: string): string {
  const encoded = key.split('/').map(extendedEncodeURIComponent).join('/');
  return (c.options.pathStyle ?? true) ? `/${BUCKET}/${encoded}` : `/${encoded}`;
}

/** The store under test, with every request it sends recorded and answered like S3 would. */
function capturing(c: Case): { store: S3ArtifactStore; sent: Request[] } {
  const sent: Request[] = [];
  const objects = new Map<string, Uint8Array>();
  const fetch: typeof globalThis.fetch = async (input) => {
    const req = input as Request;
    sent.push(req.clone());
    const obj = objects.get(req.url);
    if (req.method === 'PUT') {
      objects.set(req.url, new Uint8Array(await req.arrayBuffer()));
      return new Response(null, { status: 200 });
    }
    if (!obj) return new Response(null, { status: 404 });
    return new Response(req.method === 'HEAD' ? null : obj, {
      status: 200,
      headers: { 'content-length': String(obj.length) },
    });
  };
  const store = new S3ArtifactStore({
    bucket: BUCKET,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    retries: 0,
    fetch,
    ...c.options,
  });
  return { store, sent };
}

/** What AWS's signer makes of the request the store sent: the full set of headers, signed. */
async function awsSigned(c: Case, req: Request): Promise<Record<string, string>> {
  const url = new URL(req.url);
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of req.headers) if (!GENERATED.has(name)) headers[name] = value;
  const body = req.method === 'PUT' ? new Uint8Array(await req.clone().arrayBuffer()) : undefined;
  const signer = new SignatureV4({
    service: 's3',
    region: c.options.region ?? 'us-east-1',
    credentials: {
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      ...(c.options.sessionToken ? { sessionToken: c.options.sessionToken } : {}),
    },
    sha256: Hash.bind(null, 'sha256'),
    // What @aws-sdk/client-s3 sets (signingEscapePath: false): S3 signs the path as sent.
    uriEscapePath: false,
    applyChecksum: true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      headers,
      ...(body ? { body } : {}),
    }),
    { signingDate: NOW },
  );
  return signed.headers;
}

function sentHeaders(req: Request): Record<string, string> {
  return { host: new URL(req.url).host, ...Object.fromEntries(req.headers) };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('S3ArtifactStore signatures match @smithy/signature-v4 (the AWS SDK v3 signer)', () => {
  it.each(cases)('HEAD, GET and PUT: $name', async (c) => {
    const { store, sent } = capturing(c);
    const bytes = new TextEncoder().encode(`model bytes for ${c.name}`);
    const sha = sha256Hex(bytes);
    const key = `${c.options.prefix ?? ''}blobs/sha256/${sha}`;

    expect(await store.has(sha)).toBe(false);
    await store.put(bytes);
    expect(await store.has(sha)).toBe(true);
    expect(Buffer.from(await store.get(sha)).equals(Buffer.from(bytes))).toBe(true);
    expect(store.uri(sha)).toBe(`s3://${BUCKET}/${key}`);

    const methods = sent.map((r) => r.method);
    expect(methods).toContain('HEAD');
    expect(methods).toContain('GET');
    expect(methods).toContain('PUT');
    for (const req of sent) {
      const url = new URL(req.url);
      expect(url.search, `${req.method} query`).toBe('');
      expect(url.hash, `${req.method} fragment`).toBe('');
      expect(url.pathname, `${req.method} path`).toBe(sdkPath(c, key));
      const aws = await awsSigned(c, req);
      expect(sentHeaders(req), `${req.method} ${req.url}`).toEqual(aws);
      expect(aws['authorization']).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260314\/[a-z0-9-]+\/s3\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
      );
      expect(aws['x-amz-date']).toBe('20260314T150926Z');
      expect(aws['x-amz-content-sha256']).toBe(req.method === 'PUT' ? sha : sha256Hex(new Uint8Array()));
      expect(aws['x-amz-security-token']).toBe(c.options.sessionToken);
    }
  });

  it('refuses a prefix with a `.` or `..` segment, which URL parsing would resolve away', () => {
    const make = (prefix: string) => () =>
      new S3ArtifactStore({
        endpoint: 'https://s3.amazonaws.com',
        bucket: BUCKET,
        prefix,
        accessKeyId: 'a',
        secretAccessKey: 'b',
      });
    expect(make('a/../b/')).toThrow(/prefix/);
    expect(make('./b/')).toThrow(/prefix/);
    expect(make('a/%2e%2E/')).not.toThrow();
    expect(make('\ud800/')).toThrow(/prefix/);
    expect(make('x'.repeat(948))).toThrow(/prefix/);
    expect(make('x'.repeat(947))).not.toThrow();
  });
});

// The worked example in AWS's S3 documentation ("Signature Calculations for the Authorization
// Header: Transferring Payload in a Single Chunk", GET Object with a Range header), whose
// expected signature AWS publishes: both signers must reproduce it, which pins the reference
// signer's configuration above to AWS's own answer.
describe("AWS's published S3 SigV4 example (GET /test.txt, Range: bytes=0-9)", () => {
  const expected =
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
  const credentials = {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
  const emptySha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

  it('@smithy/signature-v4', async () => {
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials,
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'GET',
        protocol: 'https:',
        hostname: 'examplebucket.s3.amazonaws.com',
        path: '/test.txt',
        headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': emptySha },
      }),
      { signingDate: new Date('2013-05-24T00:00:00Z') },
    );
    expect(signed.headers['authorization']).toBe(expected);
  });

  it('aws4fetch (with range signed, as in the example)', async () => {
    const signer = new AwsV4Signer({
      method: 'GET',
      url: 'https://examplebucket.s3.amazonaws.com/test.txt',
      headers: { range: 'bytes=0-9', 'x-amz-content-sha256': emptySha },
      ...credentials,
      service: 's3',
      region: 'us-east-1',
      datetime: '20130524T000000Z',
      allHeaders: true,
    });
    expect((await signer.sign()).headers.get('authorization')).toBe(expected);
  });
});
