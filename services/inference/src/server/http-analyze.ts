// POST /v1/analyze: the JSON form of omen.inference.v1.Inference/Predict for callers that speak
// only HTTP (CI jobs, notebooks, the seeds' users). The body is checked for shape here (zod, the
// same schema the OpenAPI description is generated from); ids, feature sets and models are
// checked by the Predictor exactly as for gRPC, so both answer the same question the same way.
import { z } from 'zod';
import { InvalidArgumentError } from '@omen/errors';
import { ID_LIMITS } from '@omen/ids';
import type { inferenceV1 } from '@omen/contracts';
import type { PredictContext, Predictor } from '../predictor.ts';

const name = z.string().max(ID_LIMITS.name);

export const analyzeRequestSchema = z
  .object({
    repo_id: z.string().max(ID_LIMITS.repoId).optional().describe('Repository id, e.g. "github:expressjs/express"; with sha: score that commit from the online store.'),
    sha: z.string().max(64).optional().describe('Commit sha, 40 or 64 hex characters (an abbreviated sha of 4+ characters is looked up).'),
    features: z
      .object({
        values: z.record(z.string().max(128), z.number()).describe('Feature name -> value, names as in the feature registry.'),
        feature_set: z.string().max(128).optional(),
        feature_set_version: z.number().int().min(0).max(1_000_000).optional(),
        entity_id: z.string().max(128).optional(),
      })
      .strict()
      .optional()
      .describe('Inline features instead of a commit reference (what a CI job computed itself).'),
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

/** The Predict request an analyze body stands for. */
export function toPredictRequest(body: unknown): inferenceV1.PredictRequest__Output {
  const parsed = analyzeRequestSchema.safeParse(body);
  if (!parsed.success) throw describeIssue(parsed.error);
  const b = parsed.data;
  const commit = b.sha !== undefined || (b.repo_id !== undefined && b.features === undefined);
  if (commit && b.features !== undefined) throw new InvalidArgumentError('send either {repo_id, sha} or features, not both', 'features');
  if (!commit && b.features === undefined) throw new InvalidArgumentError('send {repo_id, sha} or features', 'sha');
  const base = { model_name: b.model_name ?? '', model_version: b.model_version ?? '', top_k: b.top_k ?? 5, request_id: b.request_id ?? '' };
  if (commit) {
    return { ...base, input: 'commit', commit: { repo_id: b.repo_id ?? '', sha: b.sha ?? '' }, features: null };
  }
  const f = b.features!;
  return {
    ...base,
    input: 'features',
    commit: null,
    features: { values: f.values, feature_set: f.feature_set ?? '', feature_set_version: f.feature_set_version ?? 0, repo_id: b.repo_id ?? '', entity_id: f.entity_id ?? '' },
  };
}

/** The Predictor names fields of the proto (`commit.repo_id`); this body has them at the top. */
const bodyField = (field: string) => field.replace(/^commit\./, '').replace(/^features\.repo_id$/, 'repo_id');

export async function analyze(predictor: Predictor, body: unknown, ctx: PredictContext): Promise<inferenceV1.PredictResponse> {
  try {
    return await predictor.predict(toPredictRequest(body), ctx);
  } catch (err) {
    if (err instanceof InvalidArgumentError && err.field !== undefined) throw new InvalidArgumentError(err.message.replace(err.field, bodyField(err.field)), bodyField(err.field));
    throw err;
  }
}
