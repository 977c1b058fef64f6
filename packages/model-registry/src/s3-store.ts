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
// Tested against s3rver 3.7.1, an S3-protocol server on disk (test/integration/s3-store.test.ts,
// a devDependency, so it always runs): path-style HEAD/GET/PUT of real objects, the keys as the
// server lists them, 404s, 403 for an unknown access key, and a server-side overwrite or on-disk
// corruption refused on GET. s3rver 3.7.1 checks neither SigV4 signatures (a wrong secret key
// is accepted) nor x-amz-content-sha256 against the body, so no test here proves that AWS
// accepts aws4fetch's signature or refuses a body mismatch; the unit tests only check the
// headers' shape and retries against a hand-written HTTP stub. Untested: AWS S3, MinIO, R2 or
// Ceph themselves (none is reachable from the dev machine), virtual-hosted style
// (`pathStyle: false`), session tokens, and prefixes that need URL encoding.
import { AwsClient } from 'aws4fetch';
import { NotFoundError, PermissionDeniedError, UnavailableError, type OmenError } from '@omen/errors';
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
  /** Retries of a 5xx / 429 / network failure, with jittered exponential backoff from 50 ms. @default 3 */
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
  readonly #retries: number;

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
    const url = this.#base + this.#key(sha256);
    const headers: Record<string, string> = {};
    if (body) {
      headers['x-amz-content-sha256'] = sha256Hex(body);
      headers['content-type'] = 'application/octet-stream';
    }
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.#retries;
      const request = await this.#client.sign(url, { method, headers, ...(body ? { body } : {}) });
      try {
        const res = await this.#fetch(request);
        if (last || (res.status < 500 && res.status !== 429)) return res;
        await res.body?.cancel().catch(() => undefined);
      } catch (err) {
        if (last) throw new UnavailableError(`S3 ${method} ${this.uri(sha256)} failed: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
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
      return new PermissionDeniedError(`${what} (wrong access key or secret, a clock off by over 15 minutes, or a missing s3:GetObject/s3:PutObject permission; without s3:ListBucket AWS answers a HEAD of an absent key with 403 too)`);
    }
    return new UnavailableError(what);
  }

  async has(sha256: string): Promise<boolean> {
    const res = await this.#send('HEAD', sha256);
    if (res.status === 404) return false;
    if (!res.ok) throw await this.#refusal('HEAD', sha256, res);
    return true;
  }

  async put(bytes: Uint8Array): Promise<{ sha256: string; uri: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    if (!(await this.has(sha256))) {
      const res = await this.#send('PUT', sha256, bytes);
      if (!res.ok) throw await this.#refusal('PUT', sha256, res);
    }
    return { sha256, uri: this.uri(sha256), size: bytes.length };
  }

  async get(sha256: string): Promise<Uint8Array> {
    const res = await this.#send('GET', sha256);
    if (res.status === 404) throw new NotFoundError(`artifact sha256:${sha256} is not in ${this.uri(sha256)}`, `blob/${sha256}`);
    if (!res.ok) throw await this.#refusal('GET', sha256, res);
    return verifyArtifact(new Uint8Array(await res.arrayBuffer()), sha256, this.uri(sha256));
  }
}
