// Artifacts in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, R2, ...), same
// content addressing as the local store: key `<prefix>blobs/sha256/<hex>`.
//
// Why not @aws-sdk/client-s3: it brings ~100 @smithy/* packages for the three calls used here
// (HEAD, GET, PUT of one object). aws4fetch (zero dependencies) does the part that is easy to get
// wrong, SigV4 signing; the requests themselves are plain fetch.
//
// Integrity: the PUT carries `x-amz-content-sha256: <hex>`, which S3 checks against the body it
// received (a mismatch is refused server-side), and every GET is re-hashed here before use.
//
// Not tested against a real S3: none is reachable from the dev machine. The unit tests run the
// store against a local HTTP endpoint that checks the signature headers and plays S3's answers.
import { AwsClient } from 'aws4fetch';
import { NotFoundError, UnavailableError } from '@omen/errors';
import { checkSha256, sha256Hex, verifyArtifact, type ArtifactStore } from './artifact-store.ts';

export interface S3StoreOptions {
  /** e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000` (MinIO). */
  endpoint: string;
  bucket: string;
  /** @default 'us-east-1' */
  region?: string;
  /** Key prefix, e.g. `omen/registry/`. @default '' */
  prefix?: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /**
   * `<endpoint>/<bucket>/<key>` (MinIO and most S3-compatible stores) rather than
   * `<bucket>.<endpoint host>/<key>` (AWS's virtual-hosted style). @default true
   */
  pathStyle?: boolean;
  /** Retries of a 5xx / network failure inside aws4fetch's backoff. @default 3 */
  retries?: number;
  /** @default globalThis.fetch (tests pass their own) */
  fetch?: typeof fetch;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly #client: AwsClient;
  readonly #fetch: typeof fetch;
  readonly #base: string;
  readonly #prefix: string;
  readonly #bucket: string;

  constructor(options: S3StoreOptions) {
    const endpoint = new URL(options.endpoint);
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new TypeError(`S3 endpoint must be http(s); got ${options.endpoint}`);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) throw new TypeError(`S3 bucket name ${JSON.stringify(options.bucket)} is not a valid bucket name`);
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ?? '';
    const origin = endpoint.origin;
    this.#base = (options.pathStyle ?? true) ? `${origin}/${options.bucket}/` : `${endpoint.protocol}//${options.bucket}.${endpoint.host}/`;
    this.#client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
      service: 's3',
      region: options.region ?? 'us-east-1',
      retries: options.retries ?? 3,
    });
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  #key(sha256: string): string {
    checkSha256(sha256);
    return `${this.#prefix}blobs/sha256/${sha256}`;
  }

  uri(sha256: string): string {
    return `s3://${this.#bucket}/${this.#key(sha256)}`;
  }

  async #send(method: 'HEAD' | 'GET' | 'PUT', sha256: string, body?: Uint8Array): Promise<Response> {
    const url = this.#base + this.#key(sha256);
    const headers: Record<string, string> = {};
    if (body) {
      headers['x-amz-content-sha256'] = sha256Hex(body);
      headers['content-type'] = 'application/octet-stream';
    }
    const request = await this.#client.sign(url, { method, headers, ...(body ? { body } : {}) });
    try {
      return await this.#fetch(request);
    } catch (err) {
      throw new UnavailableError(`S3 ${method} ${this.uri(sha256)} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async has(sha256: string): Promise<boolean> {
    const res = await this.#send('HEAD', sha256);
    if (res.status === 404) return false;
    if (!res.ok) throw new UnavailableError(`S3 HEAD ${this.uri(sha256)} answered ${res.status}`);
    return true;
  }

  async put(bytes: Uint8Array): Promise<{ sha256: string; uri: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    if (!(await this.has(sha256))) {
      const res = await this.#send('PUT', sha256, bytes);
      if (!res.ok) throw new UnavailableError(`S3 PUT ${this.uri(sha256)} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
    return { sha256, uri: this.uri(sha256), size: bytes.length };
  }

  async get(sha256: string): Promise<Uint8Array> {
    const res = await this.#send('GET', sha256);
    if (res.status === 404) throw new NotFoundError(`artifact sha256:${sha256} is not in ${this.uri(sha256)}`, `blob/${sha256}`);
    if (!res.ok) throw new UnavailableError(`S3 GET ${this.uri(sha256)} answered ${res.status}`);
    return verifyArtifact(new Uint8Array(await res.arrayBuffer()), sha256, this.uri(sha256));
  }
}
