import { parseArgs } from 'node:util';
import type * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, type inferenceV1 } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import { UsageError, type Command } from '../command.ts';
import { servicePorts } from '../local-services.ts';
import { CliFailure, fmt, pairs, printJson, runVerb, statusName, table } from './models.ts';

const usage = `
usage: ./scripts/omen predict --repo REPO_ID --sha SHA [--sha SHA]... [options]
       ./scripts/omen predict --feature NAME=VALUE... [--feature-set NAME@V] [options]

Asks inference how risky a change is: by commit reference (features from the online store,
written by the featurizer) or with the features given inline (as a CI job that computed them).

  --repo REPO_ID     e.g. github:expressjs/express
  --sha SHA          a commit of that repository (repeat for several: one PredictBatch)
  --feature K=V      an inline feature value (repeat); names from the feature registry
  --feature-set S@V  for inline features (default jit_change_metrics@1)
  --model NAME       default: the service's default model (jit-defect)
  --version V        default: the model's production version
  --top-k N          contributing features to show (default 5)
  --addr HOST:PORT   inference (default INFERENCE_ADDR, else 127.0.0.1:${servicePorts('inference').grpc})
  --json             print the responses as JSON
`;

type Response = inferenceV1.PredictResponse__Output;

function render(r: Response): string {
  const head =
    `${r.repo_id ? `${r.repo_id} ` : ''}${r.entity_id || '(inline)'}: bug probability ${fmt(r.bug_probability, 3)}  ` +
    `(model ${r.model_name} ${r.model_version}, ${fmt(r.latency_ms, 2)} ms)`;
  const rows = [
    ['feature', 'value', 'contribution'],
    ...r.top_contributions.map((c) => [c.feature, fmt(c.value, 3), fmt(c.contribution, 3)]),
  ];
  return r.top_contributions.length > 0 ? `${head}\n${table(rows).replace(/^/gm, '  ')}` : head;
}

export const predictCommand: Command = {
  name: 'predict',
  summary: 'ask inference for the bug risk of commits (by reference or with inline features)',
  usage,
  run: (argv) =>
    runVerb('predict', async () => {
      const { values } = parseArgs({
        args: [...argv],
        options: {
          repo: { type: 'string' },
          sha: { type: 'string', multiple: true },
          feature: { type: 'string', multiple: true },
          'feature-set': { type: 'string' },
          model: { type: 'string' },
          version: { type: 'string' },
          'top-k': { type: 'string' },
          addr: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
      const topK = Number(values['top-k'] ?? 5);
      if (!Number.isInteger(topK) || topK < 0 || topK > 100)
        throw new UsageError(`--top-k must be an integer from 0 to 100; got "${values['top-k']}"`);
      const base = { model_name: values.model ?? '', model_version: values.version ?? '', top_k: topK };
      let requests: inferenceV1.PredictRequest[];
      if (values.feature && values.feature.length > 0) {
        if (values.sha) throw new UsageError('give --sha or --feature, not both');
        const [set = 'jit_change_metrics', version = '1'] = (values['feature-set'] ?? 'jit_change_metrics@1').split(
          '@',
        );
        const features: Record<string, number> = {};
        for (const [k, v] of Object.entries(pairs(values.feature, 'feature'))) {
          const n = Number(v);
          if (v.trim() === '' || !Number.isFinite(n))
            throw new UsageError(`--feature ${k} must be a number; got "${v}"`);
          features[k] = n;
        }
        requests = [
          {
            ...base,
            features: {
              values: features,
              feature_set: set,
              feature_set_version: Number(version),
              repo_id: values.repo ?? '',
            },
          },
        ];
      } else {
        if (!values.repo || !values.sha || values.sha.length === 0)
          throw new UsageError('give --repo and --sha, or --feature');
        const repo = values.repo;
        requests = values.sha.map((sha) => ({ ...base, commit: { repo_id: repo, sha } }));
      }
      const address = values.addr ?? process.env['INFERENCE_ADDR'] ?? `127.0.0.1:${servicePorts('inference').grpc}`;
      const { Inference } = loadGrpcObject('inference').omen.inference.v1;
      const client = createClient(Inference, address, { deadlineMs: 30_000 });
      try {
        const res = await callUnary<inferenceV1.PredictBatchResponse__Output>(client, 'PredictBatch', { requests });
        if (values.json) {
          printJson(res);
        } else {
          for (const item of res.results) {
            process.stdout.write(
              `${item.prediction ? render(item.prediction) : `${item.error?.code ?? 'ERROR'}: ${item.error?.message ?? ''}`}\n`,
            );
          }
        }
        return res.results.every((r) => r.prediction) ? 0 : 1;
      } catch (err) {
        const e = err as grpc.ServiceError;
        if (typeof e.code !== 'number') throw err;
        const hint =
          e.code === (14 as grpc.status) ? ` (is inference up at ${address}? ./scripts/omen services up)` : '';
        throw new CliFailure(`PredictBatch: ${statusName(e.code)}: ${e.details}${hint}`);
      } finally {
        client.close();
      }
    }),
};
