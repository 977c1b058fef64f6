// An Open Inference Protocol HTTP/REST client written from the published specification alone
// (KServe "V2 Inference Protocol", REST section, and its binary tensor data extension), with
// nothing of omen's code: the endpoints, the $inference_request / $inference_response JSON and
// the Inference-Header-Content-Length framing as a third-party client would implement them.

export interface Tensor {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Record<string, unknown>;
  data?: unknown[];
}

export interface InferResponse {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, unknown>;
  outputs: Tensor[];
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

const BYTES: Record<string, number> = { FP32: 4, FP64: 8, INT64: 8, INT32: 4, UINT8: 1, BOOL: 1 };

export class OipHttpClient {
  constructor(
    readonly base: string,
    readonly token?: string,
  ) {}

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  async #get<T>(path: string): Promise<Answer<T>> {
    const res = await fetch(`${this.base}${path}`, { headers: this.#headers() });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  /** GET v2/health/live: 200 = live. */
  live(): Promise<Answer<unknown>> {
    return this.#get('/v2/health/live');
  }

  /** GET v2/health/ready: 200 = ready. */
  ready(): Promise<Answer<unknown>> {
    return this.#get('/v2/health/ready');
  }

  /** GET v2: $metadata_server_response. */
  serverMetadata(): Promise<Answer<{ name: string; version: string; extensions: string[] }>> {
    return this.#get('/v2');
  }

  #model(name: string, version?: string): string {
    return `/v2/models/${encodeURIComponent(name)}${version === undefined ? '' : `/versions/${encodeURIComponent(version)}`}`;
  }

  /** GET v2/models/${MODEL_NAME}[/versions/${MODEL_VERSION}]: $metadata_model_response or $metadata_model_error_response. */
  modelMetadata(
    name: string,
    version?: string,
  ): Promise<
    Answer<
      { name: string; versions?: string[]; platform: string; inputs: Tensor[]; outputs: Tensor[] } & { error?: string }
    >
  > {
    return this.#get(this.#model(name, version));
  }

  /** GET .../ready: 200 = ready. */
  modelReady(name: string, version?: string): Promise<Answer<unknown>> {
    return this.#get(`${this.#model(name, version)}/ready`);
  }

  /** POST .../infer with JSON tensors. */
  async infer(name: string, request: unknown, version?: string): Promise<Answer<InferResponse & { error?: string }>> {
    const res = await fetch(`${this.base}${this.#model(name, version)}/infer`, {
      method: 'POST',
      headers: this.#headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(request),
    });
    return { status: res.status, body: (await res.json()) as InferResponse & { error?: string }, headers: res.headers };
  }

  /**
   * POST .../infer with the binary tensor data extension: each input's bytes after the JSON
   * header (parameters.binary_data_size), outputs asked for as binary; the answer's binary
   * outputs are cut from the bytes after its own JSON header and returned as `binary`.
   */
  async inferBinary(
    name: string,
    inputs: { tensor: Omit<Tensor, 'data'>; bytes: Uint8Array }[],
    outputs: { name: string; binary: boolean }[],
    version?: string,
  ): Promise<Answer<InferResponse & { error?: string }> & { binary: Map<string, Buffer> }> {
    const header = Buffer.from(
      JSON.stringify({
        inputs: inputs.map((i) => ({
          ...i.tensor,
          parameters: { ...i.tensor.parameters, binary_data_size: i.bytes.byteLength },
        })),
        outputs: outputs.map((o) => ({ name: o.name, parameters: { binary_data: o.binary } })),
      }),
    );
    const res = await fetch(`${this.base}${this.#model(name, version)}/infer`, {
      method: 'POST',
      headers: this.#headers({
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.byteLength),
      }),
      body: Buffer.concat([header, ...inputs.map((i) => Buffer.from(i.bytes))]),
    });
    const all = Buffer.from(await res.arrayBuffer());
    const jsonLength = res.headers.get('inference-header-content-length');
    const cut = jsonLength === null ? all.byteLength : Number(jsonLength);
    const body = JSON.parse(all.subarray(0, cut).toString('utf8')) as InferResponse & { error?: string };
    const binary = new Map<string, Buffer>();
    let offset = cut;
    for (const o of body.outputs ?? []) {
      const size = o.parameters?.['binary_data_size'];
      if (typeof size !== 'number') continue;
      const expected = o.shape.reduce((p, d) => p * d, 1) * (BYTES[o.datatype] ?? 1);
      if (size !== expected) throw new Error(`output ${o.name}: binary_data_size ${size}, shape needs ${expected}`);
      binary.set(o.name, all.subarray(offset, offset + size));
      offset += size;
    }
    return { status: res.status, body, headers: res.headers, binary };
  }
}
