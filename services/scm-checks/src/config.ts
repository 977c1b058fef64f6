import { redisUrl, bool, durationMs, list, num, secret, str, url, type ConfigOf } from '@omen/config';
import type { BaseConfigShape } from '@omen/service';

const hostPort = { describe: 'host:port', test: (s: string) => /^[^\s:]+:\d{1,5}$/.test(s) };

/** Everything scm-checks reads from its environment, besides the base service variables. */
export const scmChecksConfigSchema = {
  KAFKA_BROKERS: list({ item: hostPort }),
  SCHEMA_REGISTRY_URL: url({ protocols: ['http', 'https'] }),
  /** Open requests per commit, newest prediction per commit, what was published. */
  REDIS_URL: redisUrl(),
  /** @default omen:scm-checks */
  SCM_CHECKS_PREFIX: str({ default: 'omen:scm-checks' }),
  /** @default scm-checks */
  SCM_CHECKS_GROUP: str({ default: 'scm-checks' }),
  /** @default predictions.v1 */
  SCM_CHECKS_TOPIC_PREDICTIONS: str({ default: 'predictions.v1' }),
  /** @default scm.pullrequests.v1 */
  SCM_CHECKS_TOPIC_PULL_REQUESTS: str({ default: 'scm.pullrequests.v1' }),
  /** Bug probability at or above which a check run concludes action_required (GitLab status: failed). @default 0.5 */
  SCM_CHECKS_THRESHOLD: num({ min: 0, max: 1, default: 0.5 }),
  /** Also write a note on each GitLab merge request, edited in place on a newer model. @default false */
  SCM_CHECKS_GITLAB_NOTES: bool({ default: false }),

  /**
   * Inference's gRPC address: Predict gives each decorated commit's security risks and
   * refactoring suggestions (from its code metrics). Unset: the check says they were not analysed.
   */
  INFERENCE_ADDR: str(hostPort).optional(),
  /** Bearer token for Predict when inference runs with GRPC_REQUIRE_AUTH (the reader role suffices); ADMIN_TOKEN when unset. */
  INFERENCE_TOKEN: secret({ minLength: 16 }).optional(),
  /** Deadline of one Predict call. @default 5s */
  SCM_CHECKS_INFERENCE_TIMEOUT: durationMs({ minMs: 1, maxMs: 120_000, default: '5s' }),

  /** GitHub App id; with GITHUB_APP_PRIVATE_KEY, check runs are published. Unset: GitHub is skipped. */
  GITHUB_APP_ID: str({ pattern: /^\d{1,20}$/, describe: 'the numeric GitHub App id' }).optional(),
  /** The app's private key, PEM (`-----BEGIN RSA PRIVATE KEY-----`). */
  GITHUB_APP_PRIVATE_KEY: secret({ minLength: 64 }).optional(),
  /** @default https://api.github.com (GitHub Enterprise: https://HOST/api/v3) */
  GITHUB_API_URL: url({ protocols: ['http', 'https'], default: 'https://api.github.com' }),
  /** GitLab token with the `api` scope; unset: GitLab is skipped. */
  GITLAB_TOKEN: secret({ minLength: 8 }).optional(),
  /** @default https://gitlab.com */
  GITLAB_URL: url({ protocols: ['http', 'https'], default: 'https://gitlab.com' }),
};

export type ScmChecksConfig = ConfigOf<typeof scmChecksConfigSchema & BaseConfigShape>;

/** The local mesh's block: … ab-router 50056, scm-checks 50057. */
export const SCM_CHECKS_PORTS = { grpcPort: 50057, metricsPort: 9467 } as const;
