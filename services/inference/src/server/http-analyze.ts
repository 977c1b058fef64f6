// POST /v1/analyze: the JSON form of omen.inference.v1.Inference/Predict for callers that speak
// only HTTP (CI jobs, notebooks, the seeds' users). The body is checked for shape here (zod, the
// same schema the OpenAPI description is generated from); ids, feature sets and models are
// checked by the Predictor exactly as for gRPC, so both answer the same question the same way.
//
// A third input besides {repo_id, sha} and inline features: a unified diff, for a change that is
// not (yet) a commit the featurizer has seen — a pre-push hook, a CI job on a patch. Its
// features come from @omen/features/change, the functions the featurizer itself computes them
// with: the change's shape (NS, ND, NF, Entropy, LA, LD) and FIX from the diff and its message,
// security hits and duplicated blocks from its added lines. What a diff cannot tell — the seven
// history metrics (LT, NDEV, AGE, NUC, EXP, REXP, SEXP) — the caller may send in `history`;
// each one it does not is taken as 0 (a new file by a new author) and named in the answer's
// `assumed_features`, so the number is never presented as more than it is.
import { z } from 'zod';
import { InvalidArgumentError } from '@omen/errors';
import { HISTORY_FEATURES, changeShapeMetrics, diffCodeFindings, parseUnifiedDiff } from '@omen/features/change';
import { ID_LIMITS } from '@omen/ids';
import type { inferenceV1 } from '@omen/contracts';
import type { PredictContext, Predictor, QualityInputs } from '../predictor.ts';

/** Files and lines a diff may have; the body limit bounds its bytes. */
export const DIFF_LIMITS = { maxFiles: 5000, maxLines: 200_000 } as const;
const nonNegative = z.number().min(0).max(1e9);

const name = z.string().max(ID_LIMITS.name);

export const analyzeRequestSchema = z
  .object({
    repo_id: z
      .string()
      .max(ID_LIMITS.repoId)
      .optional()
      .describe('Repository id, e.g. "github:expressjs/express"; with sha: score that commit from the online store.'),
    sha: z
      .string()
      .max(64)
      .optional()
      .describe('Commit sha, 40 or 64 hex characters (an abbreviated sha of 4+ characters is looked up).'),
    features: z
      .object({
        values: z
          .record(z.string().max(128), z.number())
          .describe('Feature name -> value, names as in the feature registry.'),
        feature_set: z.string().max(128).optional(),
        feature_set_version: z.number().int().min(0).max(1_000_000).optional(),
        entity_id: z.string().max(128).optional(),
      })
      .strict()
      .optional()
      .describe('Inline features instead of a commit reference (what a CI job computed itself).'),
    diff: z
      .string()
      .max(64 * 1024 * 1024)
      .optional()
      .describe(
        'A unified diff (git diff, git show, git format-patch, diff -u) instead of a commit reference: scored by a model on jit_change_metrics@v1 from the change itself. At most 5000 files and 200000 lines, and the body limit.',
      ),
    message: z
      .string()
      .max(65_536)
      .optional()
      .describe(
        "The change's commit message (FIX); with a diff only. Absent: the message git show / format-patch text carries, else empty.",
      ),
    history: z
      .object(
        Object.fromEntries(HISTORY_FEATURES.map((f) => [f, nonNegative.optional()])) as Record<
          (typeof HISTORY_FEATURES)[number],
          z.ZodOptional<typeof nonNegative>
        >,
      )
      .strict()
      .optional()
      .describe(
        'With a diff: the history metrics it cannot tell (lt, ndev, age, nuc, exp, rexp, sexp), as jit_change_metrics@v1 defines them. Each one absent is taken as 0 and listed in assumed_features.',
      ),
    model_name: name.optional().describe('Empty or absent: the default model.'),
    model_version: name.optional().describe("Version or alias; empty or absent: the model's production version."),
    top_k: z.number().int().min(0).max(100).optional().describe('Top contributing features returned. @default 5'),
    request_id: z.string().max(ID_LIMITS.id).optional(),
  })
  .strict();

export type AnalyzeRequest = z.infer<typeof analyzeRequestSchema>;

/** Field path and problem of the first issue, in the words the gRPC side uses. */
function describeIssue(error: z.ZodError): InvalidArgumentError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  return new InvalidArgumentError(`${field}: ${issue?.message ?? 'invalid request'}`, field);
}

/** What a diff adds to its Predict request: the quality inputs and the features it assumed. */
export interface DiffExtras {
  quality: QualityInputs;
  assumed: string[];
}

function parseBody(body: unknown): AnalyzeRequest {
  const parsed = analyzeRequestSchema.safeParse(body);
  if (!parsed.success) throw describeIssue(parsed.error);
  return parsed.data;
}

/** The Predict request (inline jit_change_metrics@v1 features) and extras of a diff body. */
export function diffPredictRequest(b: AnalyzeRequest): {
  request: inferenceV1.PredictRequest__Output;
  extras: DiffExtras;
} {
  const parsed = parseUnifiedDiff(b.diff ?? '', DIFF_LIMITS);
  const shape = changeShapeMetrics(parsed.files, b.message ?? parsed.message);
  const assumed: string[] = [];
  const history: Record<string, number> = {};
  for (const f of HISTORY_FEATURES) {
    const v = b.history?.[f];
    if (v === undefined) assumed.push(f);
    history[f] = v ?? 0;
  }
  const findings = diffCodeFindings(parsed.files);
  return {
    request: {
      model_name: b.model_name ?? '',
      model_version: b.model_version ?? '',
      top_k: b.top_k ?? 5,
      request_id: b.request_id ?? '',
      input: 'features',
      commit: null,
      features: {
        values: { ...shape, ...history },
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        repo_id: b.repo_id ?? '',
        entity_id: '',
      },
    },
    extras: { quality: { code: findings.values, files: findings.files }, assumed },
  };
}

/** The Predict request an analyze body stands for. */
export function toPredictRequest(body: unknown): inferenceV1.PredictRequest__Output {
  const b = parseBody(body);
  if (b.diff !== undefined) return diffPredictRequest(b).request;
  return commitOrFeatures(b);
}

function commitOrFeatures(b: AnalyzeRequest): inferenceV1.PredictRequest__Output {
  if (b.message !== undefined || b.history !== undefined)
    throw new InvalidArgumentError(
      `${b.message !== undefined ? 'message' : 'history'} goes with a diff only`,
      b.message !== undefined ? 'message' : 'history',
    );
  const commit = b.sha !== undefined || (b.repo_id !== undefined && b.features === undefined);
  if (commit && b.features !== undefined)
    throw new InvalidArgumentError('send either {repo_id, sha} or features, not both', 'features');
  if (!commit && b.features === undefined) throw new InvalidArgumentError('send {repo_id, sha} or features', 'sha');
  const base = {
    model_name: b.model_name ?? '',
    model_version: b.model_version ?? '',
    top_k: b.top_k ?? 5,
    request_id: b.request_id ?? '',
  };
  if (commit) {
    return { ...base, input: 'commit', commit: { repo_id: b.repo_id ?? '', sha: b.sha ?? '' }, features: null };
  }
  const f = b.features!;
  return {
    ...base,
    input: 'features',
    commit: null,
    features: {
      values: f.values,
      feature_set: f.feature_set ?? '',
      feature_set_version: f.feature_set_version ?? 0,
      repo_id: b.repo_id ?? '',
      entity_id: f.entity_id ?? '',
    },
  };
}

/** The Predictor names fields of the proto (`commit.repo_id`); this body has them at the top. */
const bodyField = (field: string) => field.replace(/^commit\./, '').replace(/^features\.repo_id$/, 'repo_id');

/** Predict's answer; for a diff, also the history features it took as 0. */
export type AnalyzeResponse = inferenceV1.PredictResponse & { assumed_features?: string[] };

export async function analyze(predictor: Predictor, body: unknown, ctx: PredictContext): Promise<AnalyzeResponse> {
  const b = parseBody(body);
  if (b.diff !== undefined) {
    if (b.sha !== undefined || b.features !== undefined)
      throw new InvalidArgumentError(
        'send one of {repo_id, sha}, features or diff',
        b.sha !== undefined ? 'sha' : 'features',
      );
    const { request, extras } = diffPredictRequest(b);
    try {
      return { ...(await predictor.predict(request, ctx, extras.quality)), assumed_features: extras.assumed };
    } catch (err) {
      // The model takes another feature set: the diff cannot be scored by it.
      if (err instanceof InvalidArgumentError && err.field?.startsWith('features.'))
        throw new InvalidArgumentError(`diff: ${err.message}`, 'diff');
      throw err;
    }
  }
  try {
    return await predictor.predict(commitOrFeatures(b), ctx);
  } catch (err) {
    if (err instanceof InvalidArgumentError && err.field !== undefined)
      throw new InvalidArgumentError(err.message.replace(err.field, bodyField(err.field)), bodyField(err.field));
    throw err;
  }
}
