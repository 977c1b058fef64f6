// The OpenAPI 3.1 description served at /openapi.json. The analyze request schema is generated
// from the zod schema that validates it, so the description cannot drift from the check.
import { z } from 'zod';
import { analyzeRequestSchema } from './http-analyze.ts';

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;

const predictResponse = {
  type: 'object',
  description: 'The answer of omen.inference.v1.Inference/Predict, field for field.',
  required: ['model_name', 'model_version', 'bug_probability'],
  properties: {
    request_id: str,
    model_name: str,
    model_version: str,
    repo_id: str,
    entity_id: { type: 'string', description: 'The scored commit sha, or the inline entity id.' },
    bug_probability: { type: 'number', minimum: 0, maximum: 1 },
    complexity_score: { type: 'number', minimum: 0, maximum: 1 },
    technical_debt_score: { type: 'number', minimum: 0, maximum: 1 },
    security_risks: {
      type: 'array',
      items: { type: 'object', properties: { category: str, path: str, score: num, description: str } },
    },
    refactoring_suggestions: {
      type: 'array',
      items: { type: 'object', properties: { path: str, kind: str, message: str, priority: num } },
    },
    top_contributions: {
      type: 'array',
      items: { type: 'object', properties: { feature: str, value: num, contribution: num } },
    },
    scores: { type: 'object', additionalProperties: num },
    feature_set: str,
    feature_set_version: { type: 'integer' },
    latency_ms: num,
    trace_id: str,
    assumed_features: {
      type: 'array',
      items: str,
      description:
        'For a diff: the history features (lt, ndev, age, nuc, exp, rexp, sexp) not sent in `history`, taken as 0.',
    },
  },
};

const omenError = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'object', required: ['code', 'message'], properties: { code: str, message: str, field: str } },
  },
};
const oipError = { type: 'object', required: ['error'], properties: { error: str } };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const errors = (schema: object) => ({
  '400': { description: 'Invalid request (the field is named)', ...json(schema) },
  '401': { description: 'Missing or invalid credential', ...json(schema) },
  '403': { description: 'The credential lacks the role', ...json(schema) },
  '404': { description: 'Unknown model, version or commit', ...json(schema) },
  '413': { description: 'Body larger than INFERENCE_HTTP_MAX_BODY_BYTES', ...json(schema) },
  '429': { description: 'Rate limited; Retry-After says when to come back', ...json(schema) },
  '503': { description: 'An engine is unavailable; Retry-After', ...json(schema) },
});
const tensor = {
  type: 'object',
  required: ['name', 'shape', 'datatype'],
  properties: {
    name: str,
    shape: { type: 'array', items: { type: 'integer' } },
    datatype: str,
    parameters: { type: 'object' },
    data: { type: 'array' },
  },
};
const modelParams = [{ name: 'name', in: 'path', required: true, schema: str }];
const versionParam = { name: 'version', in: 'path', required: true, schema: str };

export function openApiDocument(version: string): object {
  const inferOp = (withVersion: boolean) => ({
    post: {
      summary:
        'Open Inference Protocol inference (JSON tensors; binary-data extension with application/octet-stream and Inference-Header-Content-Length)',
      parameters: withVersion ? [...modelParams, versionParam] : modelParams,
      requestBody: {
        required: true,
        ...json({
          type: 'object',
          required: ['inputs'],
          properties: {
            id: str,
            parameters: { type: 'object' },
            inputs: { type: 'array', items: tensor },
            outputs: {
              type: 'array',
              items: { type: 'object', required: ['name'], properties: { name: str, parameters: { type: 'object' } } },
            },
          },
        }),
      },
      responses: {
        '200': {
          description: 'Inference response',
          ...json({
            type: 'object',
            required: ['model_name', 'outputs'],
            properties: { model_name: str, model_version: str, id: str, outputs: { type: 'array', items: tensor } },
          }),
        },
        ...errors(oipError),
      },
    },
  });
  const metaOp = (withVersion: boolean) => ({
    get: {
      summary: 'Model metadata',
      parameters: withVersion ? [...modelParams, versionParam] : modelParams,
      responses: {
        '200': {
          description: 'Model metadata',
          ...json({
            type: 'object',
            properties: {
              name: str,
              versions: { type: 'array', items: str },
              platform: str,
              inputs: { type: 'array', items: tensor },
              outputs: { type: 'array', items: tensor },
            },
          }),
        },
        ...errors(oipError),
      },
    },
  });
  const readyOp = (withVersion: boolean) => ({
    get: {
      summary: 'Model readiness: 200 ready, 400 not',
      parameters: withVersion ? [...modelParams, versionParam] : modelParams,
      responses: { '200': { description: 'Ready' }, '400': { description: 'Not ready or unknown' } },
    },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'omen inference HTTP',
      version,
      description:
        'POST /v1/analyze (Predict as JSON) and the Open Inference Protocol REST binding. Credentials: Authorization: Bearer <ADMIN_TOKEN or JWT>, needed when the server runs with GRPC_REQUIRE_AUTH.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{}, { bearer: [] }],
    paths: {
      '/v1/analyze': {
        post: {
          summary: 'Risk of a commit ({repo_id, sha}), of inline features, or of a unified diff: the answer of Predict',
          requestBody: { required: true, ...json(z.toJSONSchema(analyzeRequestSchema, { target: 'draft-2020-12' })) },
          responses: { '200': { description: 'Prediction', ...json(predictResponse) }, ...errors(omenError) },
        },
      },
      '/v2/health/live': {
        get: { summary: 'Server live', security: [{}], responses: { '200': { description: 'Live' } } },
      },
      '/v2/health/ready': {
        get: {
          summary: 'Server ready (the default model is loaded)',
          security: [{}],
          responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
        },
      },
      '/v2': {
        get: {
          summary: 'Server metadata',
          responses: {
            '200': {
              description: 'Server metadata',
              ...json({
                type: 'object',
                properties: { name: str, version: str, extensions: { type: 'array', items: str } },
              }),
            },
          },
        },
      },
      '/v2/models/{name}': metaOp(false),
      '/v2/models/{name}/versions/{version}': metaOp(true),
      '/v2/models/{name}/ready': readyOp(false),
      '/v2/models/{name}/versions/{version}/ready': readyOp(true),
      '/v2/models/{name}/infer': inferOp(false),
      '/v2/models/{name}/versions/{version}/infer': inferOp(true),
    },
  };
}
