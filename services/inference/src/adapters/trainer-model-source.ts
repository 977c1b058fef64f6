// A ModelSource over the trainer-coordinator's gRPC API (omen.trainer.v1.Trainer), for replicas
// that do not share the trainer's registry directory (Kubernetes): versions and aliases are the
// trainer's registry, and the bytes come through GetArtifact from whichever store the trainer
// keeps them in (local or S3), so a replica needs only the trainer's address.
//
// The trainer verifies the bytes when it reads them; they are verified again here, after the
// network, because a proxy, a broken connection or a bug could still hand over other bytes:
// the size and sha256 must match the header and the registry's record, or the artifact is
// refused with DATA_LOSS naming both hashes. Nothing unverified leaves this file.
//
// Failures keep their gRPC meaning as @omen/errors values: NOT_FOUND stays NOT_FOUND (the
// trainer's message names the model, version or alias), and UNAVAILABLE (trainer down, being
// redeployed, connection refused) becomes UnavailableError, which inference's dependency retry
// and the model manager's keep-the-old-version path already handle.
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { trainerV1 } from '@omen/contracts';
import { FailedPreconditionError, OmenError } from '@omen/errors';
import {
  ArtifactIntegrityError,
  TrainerClient,
  trainerError,
  type ModelArtifact,
  type ModelSelector,
  type ModelSource,
  type ModelVersionRecord,
} from '@omen/model-registry';

export interface TrainerModelSourceOptions {
  /** The trainer-coordinator's gRPC address, `host:port`. */
  address: string;
  /**
   * Bearer token. The trainer's reads are open by default; only a trainer started with
   * GRPC_REQUIRE_AUTH=true needs it (its ADMIN_TOKEN).
   */
  token?: string | { reveal(): string } | undefined;
  /** Deadline of GetAliases and ListModels. @default 10000 */
  callTimeoutMs?: number;
  /** Deadline of one whole artifact transfer. @default 120000 */
  artifactTimeoutMs?: number;
  /** Largest artifact accepted; a bigger announced size is refused before any byte is buffered. @default 1 GiB */
  maxArtifactBytes?: number;
  /** @default grpc.credentials.createInsecure() */
  credentials?: grpc.ChannelCredentials;
}

const DEFAULT_MAX_ARTIFACT_BYTES = 1024 ** 3;

const dataLoss = (message: string): OmenError => new OmenError('DATA_LOSS', message);

function describeSelector(name: string, selector: ModelSelector): string {
  return 'version' in selector ? `${name}/${selector.version}` : `${name}@${selector.alias}`;
}

function parseRecord(json: string, what: string): ModelVersionRecord {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch (err) {
    throw new OmenError('DATA_LOSS', `the trainer's record of ${what} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const r = record as Partial<ModelVersionRecord> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.name !== 'string' ||
    typeof r.version !== 'string' ||
    typeof r.sha256 !== 'string' ||
    typeof r.featureSet?.name !== 'string' ||
    typeof r.featureSet.version !== 'number'
  ) {
    throw dataLoss(`the trainer's record of ${what} lacks name, version, sha256 or featureSet`);
  }
  return r as ModelVersionRecord;
}

/**
 * Reassembles a GetArtifact stream into a verified artifact: a header first, then data chunks
 * whose total must be the announced size and whose sha256 must be the record's. Throws (and
 * stops reading) at the first thing that does not fit; the caller cancels the call.
 */
export async function assembleArtifact(
  messages: AsyncIterable<trainerV1.ArtifactChunk__Output>,
  request: { name: string; selector: ModelSelector },
  maxBytes = DEFAULT_MAX_ARTIFACT_BYTES,
): Promise<ModelArtifact> {
  const asked = describeSelector(request.name, request.selector);
  let record: ModelVersionRecord | undefined;
  let bytes: Uint8Array | undefined;
  let size = 0;
  let received = 0;
  const hash = createHash('sha256');
  for await (const message of messages) {
    if (record === undefined) {
      const header = message.part === 'header' ? message.header : undefined;
      if (!header) throw dataLoss(`the trainer's artifact stream for ${asked} began without a header`);
      record = parseRecord(header.record_json, asked);
      const what = `${record.name}/${record.version}`;
      if (
        record.name !== request.name ||
        ('version' in request.selector && record.version !== request.selector.version)
      ) {
        throw dataLoss(`asked the trainer for ${asked}, got ${what}`);
      }
      if (header.sha256.toLowerCase() !== record.sha256.toLowerCase()) {
        throw dataLoss(
          `the trainer's header for ${what} announces sha256 ${header.sha256}, its record ${record.sha256}`,
        );
      }
      size = Number(header.size_bytes);
      if (!Number.isSafeInteger(size) || size <= 0)
        throw dataLoss(`the trainer's header for ${what} announces ${header.size_bytes} bytes`);
      if (record.size !== undefined && record.size !== size)
        throw dataLoss(`the trainer's header for ${what} announces ${size} bytes, its record ${record.size}`);
      if (size > maxBytes)
        throw new FailedPreconditionError(`${what} is ${size} bytes, more than this source accepts (${maxBytes})`);
      bytes = new Uint8Array(size);
      continue;
    }
    const what = `${record.name}/${record.version}`;
    if (message.part !== 'data' || message.data === undefined)
      throw dataLoss(`the trainer's artifact stream for ${what} has a second header`);
    const chunk = message.data;
    if (received + chunk.length > size)
      throw dataLoss(`the trainer sent more than the ${size} bytes it announced for ${what}`);
    bytes!.set(chunk, received);
    hash.update(chunk);
    received += chunk.length;
  }
  if (record === undefined) throw dataLoss(`the trainer's artifact stream for ${asked} ended before its header`);
  const what = `${record.name}/${record.version}`;
  if (received !== size)
    throw dataLoss(`the trainer's artifact stream for ${what} ended after ${received} of ${size} bytes`);
  const actual = hash.digest('hex');
  if (actual !== record.sha256.toLowerCase())
    throw new ArtifactIntegrityError(record.sha256, actual, `${what} as received from the trainer`);
  return { ...record, bytes: bytes! };
}

/**
 * `new TrainerModelSource({ address: 'trainer-coordinator:50051' })`: a drop-in for
 * LocalModelRegistry where the registry directory is not shared. One gRPC channel, reconnecting
 * by itself; `close()` releases it.
 */
export class TrainerModelSource implements ModelSource {
  readonly address: string;
  readonly #trainer: TrainerClient;
  readonly #artifactTimeoutMs: number;
  readonly #maxArtifactBytes: number;

  constructor(options: TrainerModelSourceOptions) {
    this.address = options.address;
    this.#artifactTimeoutMs = options.artifactTimeoutMs ?? 120_000;
    this.#maxArtifactBytes = options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
    this.#trainer = new TrainerClient({
      address: options.address,
      token: options.token,
      deadlineMs: options.callTimeoutMs ?? 10_000,
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  async resolve(name: string, selector: ModelSelector): Promise<ModelArtifact> {
    const request: trainerV1.GetArtifactRequest =
      'version' in selector
        ? { model_name: name, version: selector.version }
        : { model_name: name, alias: selector.alias };
    const call = this.#trainer.grpc.GetArtifact(request, new grpc.Metadata(), {
      deadline: Date.now() + this.#artifactTimeoutMs,
    });
    try {
      return await assembleArtifact(call, { name, selector }, this.#maxArtifactBytes);
    } catch (err) {
      // A refusal mid-stream must stop the transfer; the status that cancel produces is ours, not news.
      call.on('error', () => undefined);
      call.cancel();
      throw trainerError(err, this.address, `GetArtifact ${describeSelector(name, selector)}`);
    }
  }

  async aliases(name: string): Promise<Record<string, string>> {
    const res = await this.#trainer.call<trainerV1.GetAliasesResponse__Output>(
      'GetAliases',
      { model_name: name },
      `GetAliases ${name}`,
    );
    return { ...res.aliases };
  }

  async models(): Promise<string[]> {
    const res = await this.#trainer.call<trainerV1.ListModelsResponse__Output>('ListModels', {});
    return res.models.map((m) => m.model_name).sort();
  }

  close(): void {
    this.#trainer.close();
  }
}
