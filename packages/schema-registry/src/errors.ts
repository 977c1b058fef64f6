// Confluent Schema Registry's error codes: clients (and people reading logs) key on them, so the
// registry answers with the same codes and HTTP statuses as Confluent's.
export const registryErrorCodes = {
  SUBJECT_NOT_FOUND: { status: 404, code: 40401 },
  VERSION_NOT_FOUND: { status: 404, code: 40402 },
  SCHEMA_NOT_FOUND: { status: 404, code: 40403 },
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: { status: 404, code: 40408 },
  INCOMPATIBLE_SCHEMA: { status: 409, code: 409 },
  INVALID_SCHEMA: { status: 422, code: 42201 },
  INVALID_VERSION: { status: 422, code: 42202 },
  INVALID_COMPATIBILITY_LEVEL: { status: 422, code: 42203 },
  BAD_REQUEST: { status: 400, code: 400 },
  NOT_FOUND: { status: 404, code: 404 },
  STORE_ERROR: { status: 500, code: 50001 },
  INTERNAL: { status: 500, code: 500 },
} as const;

export type RegistryErrorName = keyof typeof registryErrorCodes;

/** An error the registry answers with `{ error_code, message }` and the matching HTTP status. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status: number;
  readonly errorCode: number;

  constructor(
    readonly kind: RegistryErrorName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = registryErrorCodes[kind].status;
    this.errorCode = registryErrorCodes[kind].code;
  }

  toBody(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}
