// A stand-in for inference's Predict, for the scm-checks tests: scm-checks' engines (broker,
// Redis) are real and the SCM APIs are checked against their descriptions; what inference says
// about a commit is inference's own business (its tests run the real models), so here it
// answers from a table and records what it was asked and with which credential. It runs on
// @omen/grpc's server with the proto's service definition, auth included, as inference does.
import { loadGrpcObject, type inferenceV1 } from '@omen/contracts';
import { NotFoundError, UnavailableError } from '@omen/errors';
import { createGrpcServer, unary } from '@omen/grpc';
import { createLogger } from '@omen/telemetry';
import type * as grpc from '@grpc/grpc-js';

export interface InferenceStub {
  address: string;
  /** Every Predict received: the commit, the model version asked for. */
  calls: { repoId: string; sha: string; modelVersion: string }[];
  /** Answers by sha; a sha absent here is NOT_FOUND. */
  answers: Map<string, Partial<inferenceV1.PredictResponse>>;
  /** The next `n` calls fail UNAVAILABLE. */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startInferenceStub(options: { token: string }): Promise<InferenceStub> {
  const calls: InferenceStub['calls'] = [];
  const answers = new Map<string, Partial<inferenceV1.PredictResponse>>();
  let failing = 0;
  const server = createGrpcServer({
    service: 'inference-stub',
    logger: createLogger({ service: 'inference-stub', level: 'silent' }),
    adminToken: options.token,
    requireAuth: 'all',
  });
  const def = loadGrpcObject('inference').omen.inference.v1.Inference as unknown as { service: grpc.ServiceDefinition };
  server.addService(def.service, {
    Predict: unary<inferenceV1.PredictRequest__Output, inferenceV1.PredictResponse>((req) => {
      const commit = req.commit!;
      calls.push({ repoId: commit.repo_id, sha: commit.sha, modelVersion: req.model_version });
      if (failing > 0) {
        failing -= 1;
        throw new UnavailableError('inference stub: failing on purpose');
      }
      const answer = answers.get(commit.sha);
      if (!answer) throw new NotFoundError(`no features for ${commit.sha}`, `features/${commit.repo_id}/${commit.sha}`);
      return Promise.resolve({
        model_name: req.model_name,
        model_version: req.model_version,
        repo_id: commit.repo_id,
        entity_id: commit.sha,
        bug_probability: 0.5,
        ...answer,
      });
    }),
  });
  server.health.setAll('SERVING');
  const port = await server.start('127.0.0.1', 0);
  return {
    address: `127.0.0.1:${port}`,
    calls,
    answers,
    failNext: (n) => {
      failing = n;
    },
    close: () => server.shutdown(1000),
  };
}
