// inference.GRPCInferenceService, the KServe v2 / Open Inference Protocol, so Triton and KServe
// clients work unchanged. ModelInfer rows go through the same dynamic batcher as Predict.
import { performance } from 'node:perf_hooks';
import type * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError, NotFoundError } from '@omen/errors';
import { inputsSha256 } from '@omen/audit';
import { annotateAudit, unary } from '@omen/grpc';
import type { kserveV2 } from '@omen/contracts';
import type { Scheduler } from '../domain/batcher.ts';
import { KSERVE_DATATYPE, contentsOf, decodeInput, rawBytes } from '../domain/kserve-tensors.ts';
import type { ModelManager } from '../adapters/model-manager.ts';
import type { ServedLog } from '../adapters/served-log.ts';
import type { InferenceMetrics } from '../metrics.ts';
import { predictContext, timed } from './inference-service.ts';

export interface KserveServiceOptions {
  models: ModelManager;
  scheduler: Scheduler;
  metrics?: InferenceMetrics | undefined;
  /** Model whose readiness ServerReady reports. */
  defaultModel: string;
  serverName: string;
  serverVersion: string;
  /** Most rows in one ModelInfer. @default 4096 */
  maxRequestRows?: number;
  /** The served-predictions log; every answered row is recorded there. */
  log?: Pick<ServedLog, 'recordInfer'> | undefined;
}

const shapeOf = (shape: readonly (number | string)[]): number[] => shape.map((d) => (typeof d === 'number' ? d : -1));

export function kserveHandlers(options: KserveServiceOptions): grpc.UntypedServiceImplementation {
  const { models, scheduler, metrics } = options;
  const maxRows = options.maxRequestRows ?? 4096;
  const lookup = (name: string, version: string) => {
    if (name === '') throw new InvalidArgumentError('model_name is empty', 'model_name');
    return models.get(name, version);
  };
  const handlers: kserveV2.GRPCInferenceServiceHandlers = {
    ServerLive: unary(() => ({ live: true })),
    ServerReady: unary(() => ({ ready: models.isReady(options.defaultModel) })),
    ModelReady: unary<kserveV2.ModelReadyRequest__Output, kserveV2.ModelReadyResponse>((req) => {
      try {
        lookup(req.name, req.version);
        return { ready: true };
      } catch (err) {
        if (err instanceof NotFoundError) return { ready: false };
        throw err;
      }
    }),
    ServerMetadata: unary(() => ({ name: options.serverName, version: options.serverVersion, extensions: [] })),
    ModelMetadata: unary<kserveV2.ModelMetadataRequest__Output, kserveV2.ModelMetadataResponse>((req) => {
      const served = lookup(req.name, req.version);
      const m = served.model;
      const versions = [
        ...new Set(
          models
            .served()
            .filter((s) => s.model === m.name)
            .map((s) => s.served.version),
        ),
      ];
      return {
        name: m.name,
        versions,
        platform: 'onnxruntime_onnx',
        inputs: m.inputs.map((t) => ({
          name: t.name,
          datatype: KSERVE_DATATYPE[t.type] ?? t.type.toUpperCase(),
          shape: shapeOf(t.shape),
        })),
        outputs: m.outputs.map((t) => ({
          name: t.name,
          datatype: KSERVE_DATATYPE[t.type] ?? t.type.toUpperCase(),
          shape: shapeOf(t.shape),
        })),
      };
    }),
    ModelInfer: unary<kserveV2.ModelInferRequest__Output, kserveV2.ModelInferResponse>((req, ctx) =>
      timed(metrics, 'ModelInfer', async () => {
        const started = performance.now();
        const served = lookup(req.model_name, req.model_version);
        const m = served.model;
        const input = decodeInput(req.inputs, req.raw_input_contents, {
          inputName: m.inputName,
          width: m.width,
          featureNames: m.featureNames,
          maxRows,
        });
        const known = new Set(m.outputs.map((o) => o.name));
        req.outputs.forEach((o, i) => {
          if (!known.has(o.name))
            throw new InvalidArgumentError(
              `outputs[${i}].name "${o.name}" is not an output of ${m.name} (outputs: ${[...known].join(', ')})`,
              `outputs[${i}].name`,
            );
        });
        const wanted = req.outputs.length > 0 ? new Set(req.outputs.map((o) => o.name)) : known;
        annotateAudit(ctx.metadata, {
          model_name: m.name,
          model_version: m.version,
          rows: String(input.rows),
          inputs_sha256: inputsSha256(input.x),
        });
        const pctx = predictContext(ctx, scheduler);
        const out = await served.infer(
          { x: input.x, rows: input.rows },
          { signal: pctx.signal, ...(pctx.deadlineUs !== undefined ? { deadlineUs: pctx.deadlineUs } : {}) },
        );
        options.log?.recordInfer(m, input.x, input.rows, out, performance.now() - started, pctx.traceId);
        const tensors = out.tensors.filter((t) => wanted.has(t.name));
        const outputs = tensors.map((t) => ({
          name: t.name,
          datatype: KSERVE_DATATYPE[t.type] ?? t.type.toUpperCase(),
          shape: t.dims,
          ...(input.raw ? {} : { contents: contentsOf(t.type, t.data as ArrayLike<number>) }),
        }));
        return {
          model_name: m.name,
          model_version: m.version,
          id: req.id,
          outputs,
          ...(input.raw ? { raw_output_contents: tensors.map((t) => rawBytes(t.data as ArrayBufferView)) } : {}),
        };
      }),
    ),
  };
  return handlers;
}
