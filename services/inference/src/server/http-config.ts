// The HTTP surface's variables (Open Inference Protocol REST and POST /v1/analyze), spread into
// inferenceConfigSchema. Kept apart so the gRPC side's config stays as it is.
import { durationMs, int, port, str } from '@omen/config';

export const inferenceHttpConfigSchema = {
  /** HTTP/JSON port: Open Inference Protocol REST (/v2/...) and POST /v1/analyze. @default 8084 */
  INFERENCE_HTTP_PORT: port({ default: 8084 }),
  /** @default 0.0.0.0 */
  INFERENCE_HTTP_HOST: str({ default: '0.0.0.0' }),
  /**
   * Largest request body; larger ones get 413 before they are parsed. @default 4194304 (4 MiB,
   * the gRPC side's message limit)
   */
  INFERENCE_HTTP_MAX_BODY_BYTES: int({ min: 1024, max: 256 * 1024 * 1024, default: 4 * 1024 * 1024 }),
  /** Requests one client address may send per window; more get 429 with Retry-After. 0 turns it off. @default 6000 */
  INFERENCE_HTTP_RATE_LIMIT: int({ min: 0, max: 10_000_000, default: 6000 }),
  /** @default 10s */
  INFERENCE_HTTP_RATE_LIMIT_WINDOW: durationMs({ minMs: 1, maxMs: 3_600_000, default: '10s' }),
};
