// Artifacts in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, R2, ...), same
// content addressing as the local store: key `<prefix>blobs/sha256/<hex>`.
//
// Why not @aws-sdk/client-s3: it brings ~100 @smithy/* packages for the three calls used here
// (HEAD, GET, PUT of one object). aws4fetch (zero dependencies) does the part that is easy to get
// wrong, SigV4 signing; the requests themselves are plain fetch.
//
// Integrity: every request carries `x-amz-content-sha256` (the body's sha256 on a PUT, which S3
// checks against the body it received and refuses on a mismatch; the empty body's on HEAD/GET),
// every GET is re-hashed here before use, and a put of bytes whose key already exists re-reads
// and re-hashes the stored object and uploads again when it does not match (see `put`).
//
// What is verified, and how:
// - Signatures: test/unit/s3-signature.test.ts captures every HEAD, GET and PUT the store sends
//   (fixed clock, fixed keys; with and without a session token; path and virtual-hosted style;
//   an endpoint with a port; prefixes with characters that need URL encoding) and recomputes
//   them with @smithy/signature-v4, the signer of the official AWS SDK v3, configured as its S3
//   client is: Authorization, x-amz-date, x-amz-content-sha256 (hashed by the SDK from the body)
//   and x-amz-security-token must be identical, and the path must be the SDK's serialisation of
//   the key. Both signers also reproduce the signature AWS publishes for its S3 GET example.
//   That cross-check found two differences, fixed here: the prefix was pasted into the URL
//   unencoded (a `#`, `?`, `%` or `\` in it addressed another key; `+` was ambiguous), and
//   Content-Type was sent but left unsigned (the SDK signs it; S3's SigV4 rules ask for it).
// - Protocol: test/integration/s3-store.test.ts runs against s3rver 3.7.1, an S3-protocol
//   server on disk (a devDependency, so it always runs): path-style HEAD/GET/PUT of real objects,
//   the keys as the server lists them, 404s, 403 for an unknown access key, a server-side
//   overwrite or on-disk corruption refused on GET, and repaired by the next put of the bytes.
//   s3rver 3.7.1 checks neither SigV4 signatures (a wrong secret key is accepted) nor
//   x-amz-content-sha256 against the body: the signature test stands in for the first, and
//   checks that the header we send is the body's hash, not that a server refuses a mismatch.
// - Untested: a live AWS S3, MinIO, R2 or Ceph (none is reachable from the dev machine), so in
//   particular S3's own refusal of a body that does not match x-amz-content-sha256.
import { createHash } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
import { NotFoundError, PermissionDeniedError, UnavailableError, type OmenError } from '@omen/errors';
import { backoffDelayMs } from '@omen/service/retry';
import { checkSha256, sha256Hex, verifyArtifact, type ArtifactStore } from './artifact-store.ts';

export interface S3StoreOptions {
  /** e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000` (MinIO). */
  endpoint: string;
  bucket: string;
  /** @default 'us-east-1' */
  region?: string;
  /**
   * Key prefix, e.g. `omen/registry/`. Any characters, URL-encoded per `/`-separated segment as
   * the AWS SDK does; a `.` or `..` segment is refused (URL parsing would resolve it away).
   * @default ''
   */
  prefix?: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /**
   * `<endpoint>/<bucket>/<key>` (MinIO and most S3-compatible stores) rather than
   * `<bucket>.<endpoint host>/<key>` (AWS's virtual-hosted style). @default true
   */
  pathStyle?: boolean;
  /** Retries of a 5xx / 429 / network failure, with jittered exponential backoff from 50 ms. @default 3 */
  retries?: number;
  /** @default globalThis.fetch (tests pass their own) */
  fetch?: typeof fetch;
}

const EMPTY_SHA256 = sha256Hex(new Uint8Array());
// S3 keys are at most 1024 bytes of UTF-8; the store appends `blobs/sha256/<64 hex>`.
const MAX_PREFIX_BYTES = 1024 - 'blobs/sha256/'.length - 64;

/**
 * One key segment as the AWS SDK writes it into a path (its extendedEncodeURIComponent): all but
 * RFC 3986's unreserved characters percent-encoded, so S3 decodes the path back to exactly this
 * key and re-encodes it to the same canonical URI the signature was computed over.
 */
function encodeKeySegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function checkPrefix(prefix: string): void {
  const segments = prefix.split('/');
  if (segments.some((s) => s === '.' || s === '..'))
    throw new TypeError(
      `S3 prefix ${JSON.stringify(prefix)} has a "." or ".." segment, which URL parsing would resolve away`,
    );
  try {
    encodeURIComponent(prefix);
  } catch {
    throw new TypeError(`S3 prefix ${JSON.stringify(prefix)} is not well-formed Unicode (a lone surrogate)`);
  }
  const bytes = Buffer.byteLength(prefix, 'utf8');
  if (bytes > MAX_PREFIX_BYTES)
    throw new TypeError(`S3 prefix is ${bytes} bytes of UTF-8; at most ${MAX_PREFIX_BYTES} fit in a 1024-byte key`);
}

export class S3ArtifactStore implements ArtifactStore {
  readonly #client: AwsClient;
  readonly #fetch: typeof fetch;
  readonly #base: string;
  readonly #prefix: string;
  readonly #bucket: string;
  readonly #retries: number;

  constructor(options: S3StoreOptions) {
    const endpoint = new URL(options.endpoint);
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:')
      throw new TypeError(`S3 endpoint must be http(s); got ${options.endpoint}`);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket))
      throw new TypeError(`S3 bucket name ${JSON.stringify(options.bucket)} is not a valid bucket name`);
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ?? '';
    checkPrefix(this.#prefix);
    const origin = endpoint.origin;
    this.#base =
      (options.pathStyle ?? true)
        ? `${origin}/${options.bucket}/`
        : `${endpoint.protocol}//${options.bucket}.${endpoint.host}/`;
    this.#client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
      service: 's3',
      region: options.region ?? 'us-east-1',
    });
    this.#retries = options.retries ?? 3;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  #key(sha256: string): string {
    checkSha256(sha256);
    return `${this.#prefix}blobs/sha256/${sha256}`;
  }

  uri(sha256: string): string {
    return `s3://${this.#bucket}/${this.#key(sha256)}`;
  }

  /**
   * Signs and sends one request, again (re-signed, so x-amz-date stays fresh) after a network
   * failure, a 5xx or a 429, up to `retries` times with jittered exponential backoff. The retry
   * is here, not in aws4fetch's `AwsClient.fetch`, because that one always uses the global fetch.
   */
  async #send(method: 'HEAD' | 'GET' | 'PUT', sha256: string, body?: Uint8Array): Promise<Response> {
    const url = this.#base + this.#key(sha256).split('/').map(encodeKeySegment).join('/');
    // The empty body's hash rather than aws4fetch's default UNSIGNED-PAYLOAD on HEAD/GET: both
    // are valid; this one is what the AWS SDK sends, so the signature test compares like with like.
    const headers: Record<string, string> = { 'x-amz-content-sha256': body ? sha256Hex(body) : EMPTY_SHA256 };
    if (body) headers['content-type'] = 'application/octet-stream';
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.#retries;
      // allHeaders: aws4fetch leaves Content-Type out of the signature by default; S3 wants a
      // Content-Type that is sent signed, and the AWS SDK signs it.
      const request = await this.#client.sign(url, {
        method,
        headers,
        ...(body ? { body } : {}),
        aws: { allHeaders: true },
      });
      try {
        const res = await this.#fetch(request);
        if (last || (res.status < 500 && res.status !== 429)) return res;
        await res.body?.cancel().catch(() => undefined);
      } catch (err) {
        if (last)
          throw new UnavailableError(`S3 ${method} ${this.uri(sha256)} failed: ${(err as Error).message}`, {
            cause: err,
          });
      }
      await new Promise((resolve) =>
        setTimeout(resolve, backoffDelayMs(attempt + 1, { initialDelayMs: 50, maxDelayMs: Infinity, jitter: 1 })),
      );
    }
  }

  /**
   * A refusal that says what S3 said (its error code, from the body of a GET or PUT answer; a
   * HEAD answer has none). 401/403 is PERMISSION_DENIED, not UNAVAILABLE: wrong credentials, a
   * missing permission or a skewed clock do not get better by retrying.
   */
  async #refusal(method: 'HEAD' | 'GET' | 'PUT', sha256: string, res: Response): Promise<OmenError> {
    const text = method === 'HEAD' ? '' : await res.text().catch(() => '');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    const detail = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    const said = code ? ` ${code}${detail ? `: ${detail}` : ''}` : text ? `: ${text.slice(0, 300)}` : '';
    const what = `S3 ${method} ${this.uri(sha256)} answered ${res.status}${said}`;
    if (res.status === 401 || res.status === 403) {
      return new PermissionDeniedError(
        `${what} (wrong access key or secret, a clock off by over 15 minutes, or a missing s3:GetObject/s3:PutObject permission; without s3:ListBucket AWS answers a HEAD or GET of an absent key with 403 too)`,
      );
    }
    return new UnavailableError(what);
  }

  async has(sha256: string): Promise<boolean> {
    const res = await this.#send('HEAD', sha256);
    if (res.status === 404) return false;
    if (!res.ok) throw await this.#refusal('HEAD', sha256, res);
    return true;
  }

  /**
   * Uploads `bytes` unless an intact copy is already stored. An object already at the key is
   * read back and re-hashed, not trusted on a HEAD: a damaged one (bit rot, a truncated upload
   * through a non-verifying store, another writer's bytes) would otherwise stay damaged forever,
   * since the key never changes; the local store likewise replaces a damaged blob. Reading the
   * whole object is affordable here: artifacts are model files of a few MB and registration is
   * rare. One GET does what HEAD + GET would (a 404 says absent), and a Content-Length that
   * differs from the bytes' length settles it without reading the body.
   */
  async put(bytes: Uint8Array): Promise<{ sha256: string; uri: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    if (!(await this.#intact(sha256, bytes.length))) {
      const res = await this.#send('PUT', sha256, bytes);
      if (!res.ok) throw await this.#refusal('PUT', sha256, res);
      await res.body?.cancel().catch(() => undefined);
    }
    return { sha256, uri: this.uri(sha256), size: bytes.length };
  }

  /** Whether the object at `sha256`'s key exists and hashes to it; streamed, never buffered. */
  async #intact(sha256: string, size: number): Promise<boolean> {
    const res = await this.#send('GET', sha256);
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      return false;
    }
    if (!res.ok) throw await this.#refusal('GET', sha256, res);
    const length = res.headers.get('content-length');
    if (length !== null && Number(length) !== size) {
      await res.body?.cancel().catch(() => undefined);
      return false;
    }
    const hash = createHash('sha256');
    try {
      const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = res.body?.getReader();
      for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) hash.update(part.value);
    } catch (err) {
      throw new UnavailableError(`S3 GET ${this.uri(sha256)} broke off while reading: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return hash.digest('hex') === sha256;
  }

  async get(sha256: string): Promise<Uint8Array> {
    const res = await this.#send('GET', sha256);
    if (res.status === 404)
      throw new NotFoundError(`artifact sha256:${sha256} is not in ${this.uri(sha256)}`, `blob/${sha256}`);
    if (!res.ok) throw await this.#refusal('GET', sha256, res);
    return verifyArtifact(new Uint8Array(await res.arrayBuffer()), sha256, this.uri(sha256));
  }
}
