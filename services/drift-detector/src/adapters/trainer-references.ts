// References through the trainer-coordinator's read RPCs (omen.trainer.v1.Trainer GetAliases and
// GetModel, whose reference_stats_json is the registry record's referenceStats), for a drift
// detector that does not share the trainer's registry directory. No artifact is transferred:
// the detector needs the statistics, not the model. Errors keep their gRPC meaning as
// @omen/errors values; UNAVAILABLE says which trainer and which call.
import type { trainerV1 } from '@omen/contracts';
import { OmenError } from '@omen/errors';
import { TrainerClient, type ReferenceStatistics } from '@omen/model-registry';
import type { ReferenceSource } from './references.ts';

export interface TrainerReferenceOptions {
  /** `host:port`. */
  address: string;
  /** Only a trainer started with GRPC_REQUIRE_AUTH=true needs it. */
  token?: string | { reveal(): string } | undefined;
  /** @default 10000 */
  callTimeoutMs?: number;
}

/** The statistics in a GetModel answer; undefined when the version has none. */
export function parseReferenceStats(json: string, what: string): ReferenceStatistics | undefined {
  if (json === '') return undefined;
  let stats: unknown;
  try {
    stats = JSON.parse(json);
  } catch (err) {
    throw new OmenError(
      'DATA_LOSS',
      `the trainer's reference statistics of ${what} are not valid JSON: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const s = stats as Partial<ReferenceStatistics> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    !Array.isArray(s.features) ||
    !Array.isArray(s.quantileLevels) ||
    typeof s.predictions !== 'object' ||
    typeof s.labelRate !== 'number'
  ) {
    throw new OmenError(
      'DATA_LOSS',
      `the trainer's reference statistics of ${what} lack features, quantileLevels, predictions or labelRate`,
    );
  }
  return s as ReferenceStatistics;
}

export class TrainerReferenceSource implements ReferenceSource {
  readonly address: string;
  readonly #trainer: TrainerClient;

  constructor(options: TrainerReferenceOptions) {
    this.address = options.address;
    this.#trainer = new TrainerClient({
      address: options.address,
      token: options.token,
      deadlineMs: options.callTimeoutMs ?? 10_000,
    });
  }

  async aliases(name: string): Promise<Record<string, string>> {
    const res = await this.#trainer.call<trainerV1.GetAliasesResponse__Output>(
      'GetAliases',
      { model_name: name },
      `GetAliases ${name}`,
    );
    return { ...res.aliases };
  }

  async record(
    name: string,
    version: string,
  ): Promise<{ featureSet: { name: string; version: number }; referenceStats?: ReferenceStatistics | undefined }> {
    const res = await this.#trainer.call<trainerV1.ModelVersion__Output>(
      'GetModel',
      { model_name: name, version },
      `GetModel ${name}/${version}`,
    );
    const what = `${name}/${version}`;
    if (res.model_name !== name || res.version !== version)
      throw new OmenError('DATA_LOSS', `asked the trainer for ${what}, got ${res.model_name}/${res.version}`);
    return {
      featureSet: { name: res.feature_set, version: res.feature_set_version },
      referenceStats: parseReferenceStats(res.reference_stats_json, what),
    };
  }

  close(): void {
    this.#trainer.close();
  }
}
